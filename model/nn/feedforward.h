// LLaMA's SwiGLU feed-forward: down(silu(gate(x)) * up(x)), each projection a LoraLinear.
// Thread-safety: forward is safe concurrently in eval mode.
#pragma once

#include "loralinear.h"

#include <torch/torch.h>

namespace fsllm {

class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int64_t dim, int64_t hidden, const torch::TensorOptions& options);
    // x: [..., D] -> [..., D]
    torch::Tensor forward(const torch::Tensor& x);

    LoraLinear gateProj{nullptr}, upProj{nullptr}, downProj{nullptr};
};
TORCH_MODULE(FeedForward);

} // namespace fsllm
