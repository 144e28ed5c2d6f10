#include "flatadamw.h"

#include "adamwsetup.h"
#include "fsllmerror.h"

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

namespace fsllm {

namespace {

// torch::optim's key of a parameter's state in `states`: the TensorImpl's address, as a string
// in LibTorch 1.13 (c10::guts::to_string, an ostringstream), as the pointer itself in later
// versions.
template <typename StateMap>
typename StateMap::key_type stateKey(const StateMap& /*states*/, const torch::Tensor& parameter) {
    using Key = typename StateMap::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream text;
        text << parameter.unsafeGetTensorImpl();
        return text.str();
    } else {
        return static_cast<Key>(parameter.unsafeGetTensorImpl());
    }
}

// A parameter's part of a flat buffer, shaped like the parameter (a view).
torch::Tensor partOf(const torch::Tensor& buffer, int64_t offset, const torch::Tensor& parameter) {
    return buffer.narrow(0, offset, parameter.numel()).view(parameter.sizes());
}

} // namespace

FlatAdamW::FlatAdamW(std::vector<torch::Tensor> parameters, double learningRate,
                     double weightDecay, double beta2)
    : m_parameters(std::move(parameters)), m_learningRate(learningRate),
      m_weightDecay(weightDecay), m_beta2(beta2) {
    if (m_parameters.empty())
        throw FsllmError("internal error: AdamW has no parameters to train");
    const torch::Device device = m_parameters.front().device();
    int64_t total = 0;
    for (const auto& parameter : m_parameters) {
        if (parameter.scalar_type() != torch::kFloat32 || parameter.device() != device)
            throw FsllmError("internal error: the flat AdamW needs float32 parameters on one "
                             "device");
        total += parameter.numel();
    }
    // Matrices first, so that weight decay is one narrow of the buffers.
    m_offsets.assign(m_parameters.size(), 0);
    int64_t offset = 0;
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < m_parameters.size(); ++i)
            if ((m_parameters[i].dim() >= 2) == (pass == 0)) {
                m_offsets[i] = offset;
                offset += m_parameters[i].numel();
                if (pass == 0)
                    m_decayedElements = offset;
            }
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    m_values = torch::empty({total}, options);
    m_gradients = torch::zeros({total}, options);
    m_firstMoment = torch::zeros({total}, options);
    m_secondMoment = torch::zeros({total}, options);
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        auto& parameter = m_parameters[i];
        auto value = partOf(m_values, m_offsets[i], parameter);
        value.copy_(parameter);
        parameter.set_data(value);
        parameter.mutable_grad() = partOf(m_gradients, m_offsets[i], parameter);
    }
}

double FlatAdamW::clipGradientNorm(double maxNorm) {
    torch::NoGradGuard noGrad;
    const double norm = m_gradients.norm(2).item<double>();
    const double coefficient = maxNorm / (norm + 1e-6);
    if (coefficient < 1.0)
        m_gradients.mul_(coefficient);
    return norm;
}

void FlatAdamW::step() {
    torch::NoGradGuard noGrad;
    ++m_step;
    if (m_weightDecay != 0.0 && m_decayedElements > 0)
        m_values.narrow(0, 0, m_decayedElements).mul_(1.0 - m_learningRate * m_weightDecay);
    const double biasCorrection1 = 1.0 - std::pow(m_beta1, static_cast<double>(m_step));
    const double biasCorrection2 = 1.0 - std::pow(m_beta2, static_cast<double>(m_step));
    m_firstMoment.mul_(m_beta1).add_(m_gradients, 1.0 - m_beta1);
    m_secondMoment.mul_(m_beta2).addcmul_(m_gradients, m_gradients, 1.0 - m_beta2);
    const auto denominator = (m_secondMoment.sqrt() / std::sqrt(biasCorrection2)).add_(m_epsilon);
    m_values.addcdiv_(m_firstMoment, denominator, -m_learningRate / biasCorrection1);
}

void FlatAdamW::save(torch::serialize::OutputArchive& archive) const {
    // A torch::optim::AdamW over the same parameters and groups carries the state to disk.
    auto persisted = AdamWSetup::create(m_parameters, m_learningRate, m_weightDecay, m_beta2);
    if (m_step > 0)
        for (std::size_t i = 0; i < m_parameters.size(); ++i) {
            const auto& parameter = m_parameters[i];
            auto state = std::make_unique<torch::optim::AdamWParamState>();
            state->step(m_step);
            state->exp_avg(partOf(m_firstMoment, m_offsets[i], parameter).clone());
            state->exp_avg_sq(partOf(m_secondMoment, m_offsets[i], parameter).clone());
            persisted->state()[stateKey(persisted->state(), parameter)] = std::move(state);
        }
    persisted->save(archive);
}

void FlatAdamW::load(torch::serialize::InputArchive& archive) {
    auto persisted = AdamWSetup::create(m_parameters, m_learningRate, m_weightDecay, m_beta2);
    persisted->load(archive);
    torch::NoGradGuard noGrad;
    int64_t step = 0;
    for (std::size_t i = 0; i < m_parameters.size(); ++i) {
        const auto& parameter = m_parameters[i];
        auto first = partOf(m_firstMoment, m_offsets[i], parameter);
        auto second = partOf(m_secondMoment, m_offsets[i], parameter);
        const auto found = persisted->state().find(stateKey(persisted->state(), parameter));
        if (found == persisted->state().end()) { // saved before the first step
            first.zero_();
            second.zero_();
            continue;
        }
        const auto& state = static_cast<const torch::optim::AdamWParamState&>(*found->second);
        if (!state.exp_avg().defined() || !state.exp_avg_sq().defined() ||
            state.exp_avg().sizes() != parameter.sizes() ||
            state.exp_avg_sq().sizes() != parameter.sizes())
            throw FsllmError("the optimizer state does not match the trainable parameters");
        first.copy_(state.exp_avg());
        second.copy_(state.exp_avg_sq());
        step = std::max<int64_t>(step, state.step());
    }
    m_step = step;
}

} // namespace fsllm
