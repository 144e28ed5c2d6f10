// AdamW over one flat buffer: the trainable parameters (LoRA A/B and the head, all f32 on one
// device) become views of one [P] tensor, their gradients views of a second, and the two moments
// are two more; a step is then a dozen tensor operations whatever the number of parameters, where
// torch::optim::AdamW runs a dozen per parameter. The update is torch::optim::AdamW's, element for
// element: decoupled weight decay p *= 1 - lr * wd on matrices only (never on norms and biases,
// as AdamWSetup groups them), m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
// The state is saved and loaded in torch::optim::AdamW's archive format (optimizer.pt), so a run
// folder written before this class existed resumes. Thread-safety: one thread at a time.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace fsllm {

class FlatAdamW {
public:
    // Moves `parameters` into the flat buffer (set_data: the same tensors, so the modules still
    // hold them) and gives each a zeroed gradient that is a view of the flat gradient buffer
    // (backward accumulates into it in place). Throws FsllmError unless every parameter is a
    // float32 tensor on one device.
    FlatAdamW(std::vector<torch::Tensor> parameters, double learningRate, double weightDecay,
              double beta2 = 0.999);

    void setLearningRate(double rate) { m_learningRate = rate; }
    // The gradients' global L2 norm; when it exceeds maxNorm they are scaled by
    // maxNorm / (norm + 1e-6), as torch::nn::utils::clip_grad_norm_ does.
    double clipGradientNorm(double maxNorm);
    // One AdamW update from the current gradients.
    void step();
    void zeroGrad() { m_gradients.zero_(); }

    // [P] f32: every parameter's gradient, in parameter order (views of it are the .grad).
    const torch::Tensor& gradients() const { return m_gradients; }
    int64_t stepsTaken() const { return m_step; }

    void save(torch::serialize::OutputArchive& archive) const;
    // Throws (c10::Error / FsllmError) when the archive holds another set of parameters.
    void load(torch::serialize::InputArchive& archive);

private:
    std::vector<torch::Tensor> m_parameters; // in the order given
    std::vector<int64_t> m_offsets;          // each parameter's first element in the buffers
    torch::Tensor m_values, m_gradients, m_firstMoment, m_secondMoment; // [P] f32 each
    int64_t m_decayedElements = 0; // the buffers start with the matrices (the decayed ones)
    double m_learningRate;
    double m_weightDecay;
    double m_beta1 = 0.9;
    double m_beta2;
    double m_epsilon = 1e-8;
    int64_t m_step = 0;
};

} // namespace fsllm
