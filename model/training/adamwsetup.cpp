#include "adamwsetup.h"

namespace fsllm {

std::unique_ptr<torch::optim::AdamW> AdamWSetup::create(const std::vector<torch::Tensor>& parameters,
                                                        double learningRate, double weightDecay,
                                                        double beta2) {
    std::vector<torch::Tensor> decay, noDecay;
    for (const auto& parameter : parameters)
        (parameter.dim() >= 2 ? decay : noDecay).push_back(parameter);
    auto options = [&](double groupDecay) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(learningRate).betas({0.9, beta2}).weight_decay(groupDecay));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, options(weightDecay));
    if (!noDecay.empty())
        groups.emplace_back(noDecay, options(0.0));
    return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(learningRate));
}

void AdamWSetup::setLearningRate(torch::optim::Optimizer& optimizer, double rate) {
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(rate);
}

} // namespace fsllm
