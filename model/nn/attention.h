// Grouped-query self-attention with the paper's masks (docs/design.md §2): softmax(QK^T/sqrt(dk) +
// M) V, with the family's options from ModelConfig: q/k/v and o biases, and Qwen3's per-head
// RMSNorm of q and k (over head_dim, before RoPE). The probabilities are computed explicitly (they are needed for inspection; LibTorch 1.13
// has no fused kernel). Thread-safety: forward is safe concurrently in eval mode.
#pragma once

#include "fusedprojection.h"
#include "loralinear.h"
#include "modelconfig.h"
#include "rmsnorm.h"

#include <torch/torch.h>

#include <memory>

namespace fsllm {

class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(const ModelConfig& config, const torch::TensorOptions& options);

    // x: [B, T, D]; cos/sin: [T, hd]; bias: [B, 1, T, T] f32 (masking.h).
    // Returns [B, T, D]; when probabilities != nullptr it receives [B, H, T, T] f32.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos,
                          const torch::Tensor& sin, const torch::Tensor& bias,
                          torch::Tensor* probabilities = nullptr);

    LoraLinear qProj{nullptr}, kProj{nullptr}, vProj{nullptr}, oProj{nullptr};
    RmsNorm qNorm{nullptr}, kNorm{nullptr}; // weights [hd]; null unless config.qkNorm
    // q, k and v computed as one projection (their weights are allocated side by side).
    FusedProjection& qkvProjection() { return *m_qkv; }

private:
    std::unique_ptr<FusedProjection> m_qkv;
    int64_t m_heads;
    int64_t m_kvHeads;
    int64_t m_headDim;
    bool m_ropeInterleaved; // chatglm: RoPE in adjacent pairs (RotaryEmbedding::apply)
};
TORCH_MODULE(Attention);

} // namespace fsllm
