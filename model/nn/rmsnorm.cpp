#include "rmsnorm.h"

namespace fsllm {

RmsNormImpl::RmsNormImpl(int64_t dim, double eps, const torch::TensorOptions& options)
    : m_eps(eps) {
    weight = register_parameter("weight", torch::ones({dim}, options));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
    auto x32 = x.to(torch::kFloat32);                                     // [..., D] f32
    auto inverseRms = torch::rsqrt(x32.pow(2).mean(-1, /*keepdim=*/true) + m_eps); // [..., 1]
    auto normalised = (x32 * inverseRms).to(x.scalar_type());
    return normalised * weight.to(x.scalar_type());
}

} // namespace fsllm
