// AdamW as both trainers use it: decoupled weight decay on matrices only (never on norms and
// biases), and one learning rate set on every parameter group per step.
// Thread-safety: call from the thread that owns the optimizer.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace fsllm {

class AdamWSetup {
public:
    // Parameters of rank >= 2 decay by `weightDecay`, the others not at all.
    static std::unique_ptr<torch::optim::AdamW> create(const std::vector<torch::Tensor>& parameters,
                                                       double learningRate, double weightDecay,
                                                       double beta2 = 0.999);
    static void setLearningRate(torch::optim::Optimizer& optimizer, double rate);
};

} // namespace fsllm
