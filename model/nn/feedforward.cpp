#include "feedforward.h"

namespace fsllm {

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t hidden, const torch::TensorOptions& options) {
    gateProj = register_module("gate_proj", LoraLinear(dim, hidden, false, options));
    upProj = register_module("up_proj", LoraLinear(dim, hidden, false, options));
    downProj = register_module("down_proj", LoraLinear(hidden, dim, false, options));
    m_gateUp = std::make_unique<FusedProjection>(std::vector<LoraLinear>{gateProj, upProj});
    m_gateUp->allocateTogether();
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
    const std::vector<torch::Tensor> gateUp = m_gateUp->forward(x, is_training()); // 2 x [..., F]
    return downProj(torch::silu(gateUp[0]) * gateUp[1]);
}

} // namespace fsllm
