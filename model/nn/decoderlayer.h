// One pre-norm LLaMA block: h = x + attn(norm1(x)); out = h + mlp(norm2(h)).
// Thread-safety: forward is safe concurrently in eval mode.
#pragma once

#include "attention.h"
#include "feedforward.h"
#include "modelconfig.h"
#include "rmsnorm.h"

#include <torch/torch.h>

namespace fsllm {

class DecoderLayerImpl : public torch::nn::Module {
public:
    DecoderLayerImpl(const ModelConfig& config, const torch::TensorOptions& options);
    // x: [B, T, D]; see AttentionImpl::forward for the rest. Returns [B, T, D].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos,
                          const torch::Tensor& sin, const torch::Tensor& bias,
                          torch::Tensor* probabilities = nullptr);

    RmsNorm inputLayernorm{nullptr};
    Attention selfAttn{nullptr};
    RmsNorm postAttentionLayernorm{nullptr};
    FeedForward mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

} // namespace fsllm
