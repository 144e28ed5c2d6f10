#include "masking.h"

#include <limits>
#include <vector>

namespace fsllm {

torch::Tensor tokenMask(const torch::Tensor& lengths, int64_t T) {
    auto positions = torch::arange(T, lengths.options().dtype(torch::kInt64)); // [T]
    return positions.unsqueeze(0) < lengths.to(torch::kInt64).unsqueeze(1);  // [B, T] bool
}

torch::Tensor buildAttentionBias(const MaskSpec& spec, const torch::Tensor& lengths, int64_t T,
                                 int64_t slidingWindow) {
    spec.validate();
    const float negInf = -std::numeric_limits<float>::infinity();
    // The bias of every distance d = j - i comes from MaskSpec::futureBias, the one definition of
    // the modes: futureByDistance[d] for d in 0..T-1 (0 on the diagonal), then [T, T] by indexing
    // it with max(j - i, 0), so entries on and below the diagonal are 0.
    std::vector<float> futureByDistance(static_cast<std::size_t>(T), 0.0f);
    for (int64_t d = 1; d < T; ++d)
        futureByDistance[static_cast<std::size_t>(d)] =
            static_cast<float>(spec.futureBias(static_cast<int>(d)));
    auto index = torch::arange(T, lengths.options().dtype(torch::kInt64));
    auto distance = index.unsqueeze(0) - index.unsqueeze(1); // [T, T] int64, j - i
    auto bias = torch::tensor(futureByDistance, torch::kFloat32)
                    .to(lengths.device())
                    .index({distance.clamp_min(0)}); // [T, T] f32
    auto realTokens = tokenMask(lengths, T);                         // [B, T] bool
    auto padKey = realTokens.logical_not();                          // [B, T] bool
    auto full = bias.unsqueeze(0).repeat({lengths.size(0), 1, 1});  // [B, T, T]
    full = full.masked_fill(padKey.unsqueeze(1), negInf);           // mask padded keys
    if (slidingWindow > 0 && slidingWindow < T) {
        auto outside = distance.abs() >= slidingWindow; // [T, T] bool
        auto windowed = outside.unsqueeze(0).logical_and(realTokens.unsqueeze(2)); // [B, T, T]
        full = full.masked_fill(windowed, negInf); // real query rows only
    }
    return full.unsqueeze(1);                                        // [B, 1, T, T]
}

} // namespace fsllm
