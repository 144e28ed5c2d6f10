#include "masking.h"

#include <limits>

namespace fsllm {

torch::Tensor tokenMask(const torch::Tensor& lengths, int64_t T) {
    auto positions = torch::arange(T, lengths.options().dtype(torch::kInt64)); // [T]
    return positions.unsqueeze(0) < lengths.to(torch::kInt64).unsqueeze(1);  // [B, T] bool
}

torch::Tensor buildAttentionBias(const MaskSpec& spec, const torch::Tensor& lengths, int64_t T,
                                 int64_t slidingWindow) {
    spec.validate();
    const auto floatOptions = torch::TensorOptions().dtype(torch::kFloat32).device(lengths.device());
    const float negInf = -std::numeric_limits<float>::infinity();

    auto index = torch::arange(T, floatOptions);
    auto distance = index.unsqueeze(0) - index.unsqueeze(1); // [T, T] f32, j - i
    auto future = distance > 0;                              // [T, T] bool

    torch::Tensor bias; // [T, T] f32
    switch (spec.mode) {
    case MaskMode::Causal:
        bias = torch::zeros({T, T}, floatOptions).masked_fill(future, negInf);
        break;
    case MaskMode::Bidirectional:
        bias = torch::zeros({T, T}, floatOptions);
        break;
    case MaskMode::Decay:
        if (std::isinf(spec.lambda))
            bias = torch::zeros({T, T}, floatOptions).masked_fill(future, negInf);
        else
            bias = torch::where(future, distance * static_cast<float>(-spec.lambda),
                                torch::zeros({T, T}, floatOptions));
        break;
    }
    auto realTokens = tokenMask(lengths, T);                         // [B, T] bool
    auto padKey = realTokens.logical_not();                          // [B, T] bool
    auto full = bias.unsqueeze(0).repeat({lengths.size(0), 1, 1});  // [B, T, T]
    full = full.masked_fill(padKey.unsqueeze(1), negInf);           // mask padded keys
    if (slidingWindow > 0 && slidingWindow < T) {
        auto outside = distance.abs() >= static_cast<float>(slidingWindow); // [T, T] bool
        auto windowed = outside.unsqueeze(0).logical_and(realTokens.unsqueeze(2)); // [B, T, T]
        full = full.masked_fill(windowed, negInf); // real query rows only
    }
    return full.unsqueeze(1);                                        // [B, 1, T, T]
}

} // namespace fsllm
