// LLaMA's SwiGLU feed-forward: down(silu(gate(x)) * up(x)), each projection a LoraLinear,
// gate and up computed together (FusedProjection).
// Thread-safety: forward is safe concurrently in eval mode.
#pragma once

#include "fusedprojection.h"
#include "loralinear.h"

#include <torch/torch.h>

#include <memory>

namespace fsllm {

class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int64_t dim, int64_t hidden, const torch::TensorOptions& options);
    // x: [..., D] -> [..., D]
    torch::Tensor forward(const torch::Tensor& x);

    LoraLinear gateProj{nullptr}, upProj{nullptr}, downProj{nullptr};
    // gate and up computed as one projection (their weights are allocated side by side).
    FusedProjection& gateUpProjection() { return *m_gateUp; }

private:
    std::unique_ptr<FusedProjection> m_gateUp;
};
TORCH_MODULE(FeedForward);

} // namespace fsllm
