// LLaMA RMSNorm: y = weight * (x * rsqrt(mean(x^2) + eps)), statistics in f32, result cast back to
// the input dtype before the weight multiplies it (Hugging Face semantics).
// Thread-safety: forward is safe to call concurrently once weights are loaded.
#pragma once

#include <torch/torch.h>

namespace fsllm {

class RmsNormImpl : public torch::nn::Module {
public:
    RmsNormImpl(int64_t dim, double eps, const torch::TensorOptions& options);
    // x: [..., D] any float dtype -> same shape and dtype.
    torch::Tensor forward(const torch::Tensor& x);

    torch::Tensor weight; // [D]

private:
    double m_eps;
};
TORCH_MODULE(RmsNorm);

} // namespace fsllm
