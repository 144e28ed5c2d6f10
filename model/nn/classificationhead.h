// The classification head of the paper ("LS", docs/design.md §2): pooled features (sequence tasks)
// or per-token features (token tasks) -> RMSNorm -> SwiGLU feed-forward (silu(x W) * (x V)) W2 ->
// linear to labels ("fs"), or a plain bias-free linear layer ("linear", as Hugging Face's
// LlamaForSequenceClassification `score`). Parameters are f32 and trainable.
// Parameter names: fs: "norm.weight", "w.weight", "v.weight", "w2.weight", "out.weight",
// "out.bias"; linear: "weight". Thread-safety: forward is safe concurrently in eval mode.
#pragma once

#include "classifierspec.h"
#include "rmsnorm.h"

#include <torch/torch.h>

#include <string>

namespace fsllm {

// hidden: [B, T, D]; lengths: [B] int64 real-token counts of right-padded rows -> [B, D].
// Last: the last non-pad token; Mean/Max: over non-pad tokens only.
torch::Tensor poolHidden(const torch::Tensor& hidden, const torch::Tensor& lengths,
                         Pooling pooling);

class ClassificationHeadImpl : public torch::nn::Module {
public:
    // innerSize: SwiGLU width (0 -> dim). Weights initialised from the global torch seed.
    ClassificationHeadImpl(int64_t dim, int64_t numLabels, HeadKind kind, int64_t innerSize,
                           double rmsEps, const torch::Device& device);
    // features: [..., D] any float dtype -> logits [..., numLabels] f32.
    torch::Tensor forward(const torch::Tensor& features);

    HeadKind kind() const { return m_kind; }
    int64_t numLabels() const { return m_numLabels; }
    int64_t innerSize() const { return m_innerSize; }

private:
    HeadKind m_kind;
    int64_t m_numLabels;
    int64_t m_innerSize;
    RmsNorm m_norm{nullptr};
    torch::nn::Linear m_w{nullptr}, m_v{nullptr}, m_w2{nullptr}, m_out{nullptr};
    torch::Tensor m_weight; // linear kind: [numLabels, D]
};
TORCH_MODULE(ClassificationHead);

} // namespace fsllm
