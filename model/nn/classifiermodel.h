// The FS-LLM classifier: the frozen decoder with LoRA adapters, run under the configured mask,
// then pooling (sequence tasks) or per-token features (token tasks), then the head.
// Thread-safety: one thread at a time (training or inference).
#pragma once

#include "classificationhead.h"
#include "classifierspec.h"
#include "decoder.h"
#include "encodeddataset.h"

#include <torch/torch.h>

namespace fsllm {

class ClassifierModelImpl : public torch::nn::Module {
public:
    ClassifierModelImpl(Decoder decoder, const ClassifierSpec& spec);

    // ids/lengths as in Batch -> logits [B, C] (seq) or [B, T, C] (token), f32, under the spec's
    // mask: the decoder, then classify.
    torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& lengths);
    // Everything after the decoder, the one place that applies pooling and the head (training,
    // evaluation, Engine::inspect and Engine::attribute all come here): hidden [B, T, D] and
    // lengths [B] -> logits [B, C] (seq: pooled per the spec) or [B, T, C] (token), f32.
    torch::Tensor classify(const torch::Tensor& hidden, const torch::Tensor& lengths);
    // Mean cross-entropy over labelled examples/tokens (kIgnoreLabel skipped).
    static torch::Tensor loss(const torch::Tensor& logits, const torch::Tensor& labels);
    // The same as a sum, and how many terms it has: {[] f32 sum, labelled count}; data-parallel
    // training divides by the count over all ranks.
    static std::pair<torch::Tensor, int64_t> lossSum(const torch::Tensor& logits,
                                                     const torch::Tensor& labels);

    // The parameters that train: LoRA A/B and the head (base weights are frozen).
    std::vector<torch::Tensor> trainableParameters();

    const ClassifierSpec& spec() const { return m_spec; }
    // Activation checkpointing for training forwards (ForwardOptions::recomputeLayers).
    void setRecomputeLayers(bool recompute) { m_recomputeLayers = recompute; }

    Decoder decoder{nullptr};
    ClassificationHead head{nullptr};

private:
    ClassifierSpec m_spec;
    bool m_recomputeLayers = false;
};
TORCH_MODULE(ClassifierModel);

} // namespace fsllm
