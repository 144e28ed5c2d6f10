#include "loralinear.h"

#include "fsllmerror.h"

#include <cmath>

namespace fsllm {

LoraLinearImpl::LoraLinearImpl(int64_t inFeatures, int64_t outFeatures, bool hasBias,
                               const torch::TensorOptions& options) {
    // Uninitialised (no page is touched): the weight loader or a randomiser fills it.
    weight = register_parameter("weight", torch::empty({outFeatures, inFeatures}, options),
                                /*requires_grad=*/false);
    if (hasBias)
        bias = register_parameter("bias", torch::zeros({outFeatures}, options),
                                  /*requires_grad=*/false);
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) {
    auto y = torch::nn::functional::linear(x, weight, bias); // [..., out]
    return m_hasLora ? y + loraUpdate(x) : y;
}

torch::Tensor LoraLinearImpl::loraUpdate(const torch::Tensor& x) {
    // In x's dtype; A and B are cast from their f32 masters (the casts pass gradients back).
    auto input = x;
    if (is_training() && m_settings.dropout > 0.0)
        input = torch::dropout(input, m_settings.dropout, /*train=*/true);
    const auto type = x.scalar_type();
    auto reduced = torch::matmul(input, loraA.to(type).t());             // [..., r]
    return torch::matmul(reduced, (loraB * m_settings.scaling()).to(type).t()); // [..., out]
}

void LoraLinearImpl::enableLora(const LoraSettings& settings) {
    if (settings.rank <= 0)
        throw FsllmError("LoRA rank must be positive, got " + std::to_string(settings.rank));
    if (settings.dropout < 0.0 || settings.dropout >= 1.0)
        throw FsllmError("LoRA dropout must be in [0, 1), got " + std::to_string(settings.dropout));
    if (m_hasLora)
        throw FsllmError("LoRA is already enabled on this layer");
    m_settings = settings;
    const auto f32 = torch::TensorOptions().dtype(torch::kFloat32).device(weight.device());
    // PEFT: kaiming_uniform_(A, a=sqrt(5)) -> bound = 1/sqrt(in); B = 0.
    const double bound = 1.0 / std::sqrt(static_cast<double>(inFeatures()));
    loraA = register_parameter("lora_A",
                               torch::empty({settings.rank, inFeatures()}, f32).uniform_(-bound, bound));
    loraB = register_parameter("lora_B", torch::zeros({outFeatures(), settings.rank}, f32));
    m_hasLora = true;
}

void LoraLinearImpl::merge() {
    if (!m_hasLora)
        return;
    torch::NoGradGuard noGrad;
    auto delta = torch::matmul(loraB, loraA) * m_settings.scaling(); // [out, in] f32
    // Out of place: the weight may be a view of a read-only checkpoint mapping.
    weight.set_data(weight + delta.to(weight.scalar_type()));
    m_hasLora = false;
    loraA = torch::Tensor();
    loraB = torch::Tensor();
    // Drop the parameters from the registry so they are no longer saved or optimised.
    parameters_.erase("lora_A");
    parameters_.erase("lora_B");
}

} // namespace fsllm
