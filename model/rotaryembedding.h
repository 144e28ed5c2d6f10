// Rotary position embedding in the Hugging Face "rotate half" convention, with linear RoPE
// scaling (positions divided by the factor). Caches cos/sin tables per device and length.
// Thread-safety: not thread-safe (the cache mutates); one decoder per thread.
#pragma once

#include <torch/torch.h>

namespace fsllm {

class RotaryEmbedding {
public:
    RotaryEmbedding(int64_t headDim, double theta, double scalingFactor);

    // cos and sin tables for positions 0..T-1: each [T, headDim] in `type` on `device`.
    std::pair<torch::Tensor, torch::Tensor> table(int64_t T, const torch::Device& device,
                                                  torch::ScalarType type);

    // x: [B, heads, T, headDim]; cos/sin from table(T) -> rotated x, same shape and dtype.
    static torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& cos,
                               const torch::Tensor& sin);

private:
    int64_t m_headDim;
    double m_theta;
    double m_scalingFactor;
    torch::Tensor m_cos; // cached [Tmax, headDim]
    torch::Tensor m_sin;
};

} // namespace fsllm
