// Rotary position embedding in the Hugging Face "rotate half" convention (or, for chatglm, in
// adjacent pairs over the first rotaryDim dimensions of each head), with the RoPE scaling
// of config.json: "linear" (positions divided by the factor), "dynamic" (NTK-aware: for inputs
// longer than max_position_embeddings the base theta grows with the length, as Hugging Face's
// _compute_dynamic_ntk_parameters does; shorter inputs are unscaled) and "llama3" (inverse
// frequencies rescaled as Hugging Face's _compute_llama3_parameters does). Caches cos/sin tables
// per device and length. Thread-safety: not thread-safe (the cache mutates); one decoder per
// thread.
#pragma once

#include "modelconfig.h"

#include <torch/torch.h>

namespace fsllm {

class RotaryEmbedding {
public:
    explicit RotaryEmbedding(const ModelConfig& config);

    // The inverse frequencies theta^(-2i/rd), i = 0..rd/2-1 (rd = config.rotatedDims(), the head
    // dim unless partial), after the config's scaling, for an input of `length` positions (only
    // "dynamic" depends on it; 0 = not longer than max_position_embeddings): [rd/2] f64 on the
    // CPU.
    static torch::Tensor inverseFrequency(const ModelConfig& config, int64_t length = 0);

    // cos and sin tables for positions 0..T-1: each [T, headDim] in `type` on `device` (cos 1,
    // sin 0 on dimensions that do not rotate).
    std::pair<torch::Tensor, torch::Tensor> table(int64_t T, const torch::Device& device,
                                                  torch::ScalarType type);

    // x: [B, heads, T, headDim]; cos/sin from table(T) -> rotated x, same shape and dtype.
    // `interleaved` (config.ropeInterleaved) pairs x[2i] with x[2i+1], else x[i] with x[i+hd/2].
    static torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& cos,
                               const torch::Tensor& sin, bool interleaved = false);

private:
    ModelConfig m_config;
    torch::Tensor m_inverseFrequency; // [hd/2] f64, for inputs up to max_position_embeddings
    double m_positionScale;           // positions are divided by this (linear scaling)
    torch::Tensor m_cos;              // cached [Tmax, headDim] (exactly [T, headDim] when the
    torch::Tensor m_sin;              // table depends on T: dynamic scaling past the maximum)
};

} // namespace fsllm
