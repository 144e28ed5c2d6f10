#include "rotaryembedding.h"

namespace fsllm {

RotaryEmbedding::RotaryEmbedding(int64_t headDim, double theta, double scalingFactor)
    : m_headDim(headDim), m_theta(theta), m_scalingFactor(scalingFactor) {}

std::pair<torch::Tensor, torch::Tensor> RotaryEmbedding::table(int64_t T,
                                                               const torch::Device& device,
                                                               torch::ScalarType type) {
    const bool fresh = !m_cos.defined() || m_cos.size(0) < T || m_cos.device() != device ||
                       m_cos.scalar_type() != type;
    if (fresh) {
        // Computed in f64 then cast, so tables agree with any reference to f32 rounding.
        const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
        const int64_t length = std::max<int64_t>(T, 64);
        auto exponent = torch::arange(0, m_headDim, 2, f64) / static_cast<double>(m_headDim);
        auto inverseFrequency = torch::pow(m_theta, exponent).reciprocal();        // [hd/2]
        auto positions = torch::arange(length, f64) / m_scalingFactor;             // [L]
        auto angles = torch::outer(positions, inverseFrequency);                   // [L, hd/2]
        auto embedding = torch::cat({angles, angles}, -1);                         // [L, hd]
        m_cos = embedding.cos().to(device, type);
        m_sin = embedding.sin().to(device, type);
    }
    return {m_cos.narrow(0, 0, T), m_sin.narrow(0, 0, T)};
}

torch::Tensor RotaryEmbedding::apply(const torch::Tensor& x, const torch::Tensor& cos,
                                     const torch::Tensor& sin) {
    const int64_t half = x.size(-1) / 2;
    auto first = x.narrow(-1, 0, half);
    auto second = x.narrow(-1, half, half);
    auto rotated = torch::cat({-second, first}, -1); // rotate_half(x)
    return x * cos + rotated * sin;                  // cos/sin [T, hd] broadcast over B, heads
}

} // namespace fsllm
