#include "feedforward.h"

namespace fsllm {

FeedForwardImpl::FeedForwardImpl(int64_t dim, int64_t hidden, const torch::TensorOptions& options) {
    gateProj = register_module("gate_proj", LoraLinear(dim, hidden, false, options));
    upProj = register_module("up_proj", LoraLinear(dim, hidden, false, options));
    downProj = register_module("down_proj", LoraLinear(hidden, dim, false, options));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
    return downProj(torch::silu(gateProj(x)) * upProj(x)); // [..., F] inside
}

} // namespace fsllm
