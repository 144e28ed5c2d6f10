// A frozen linear layer y = x W^T (+ b) with an optional LoRA adapter (Hu et al.; PEFT semantics):
// y = x W^T + b + scaling * dropout(x) A^T B^T, scaling = alpha / rank
// (alpha / sqrt(rank) with rsLora), A [r, in] Kaiming-uniform,
// B [out, r] zero, so a fresh adapter leaves the output unchanged. A and B are f32 master copies
// whatever the base dtype; the adapter's matmuls run in the compute dtype (x's). W starts uninitialised: load or randomise it before use; it is never written in
// place (it may be a view of a read-only checkpoint mapping). Thread-safety: forward is safe concurrently in eval mode; enable/merge are not.
#pragma once

#include <torch/torch.h>

#include <cmath>

namespace fsllm {

struct LoraSettings {
    int64_t rank = 8;
    double alpha = 32.0;
    double dropout = 0.1;
    bool rsLora = false; // PEFT use_rslora: scale by alpha / sqrt(r) instead of alpha / r
    double scaling() const {
        return rsLora ? alpha / std::sqrt(static_cast<double>(rank))
                      : alpha / static_cast<double>(rank);
    }
};

class LoraLinearImpl : public torch::nn::Module {
public:
    LoraLinearImpl(int64_t inFeatures, int64_t outFeatures, bool bias,
                   const torch::TensorOptions& options);

    // x: [..., in] -> [..., out] in x's dtype.
    torch::Tensor forward(const torch::Tensor& x);
    // The adapter's term alone, dropout(x) A^T (scaling B)^T: [..., in] -> [..., out], computed
    // in x's dtype (the compute dtype) from the f32 A and B, so that gradients reach them in
    // f32. Requires hasLora().
    torch::Tensor loraUpdate(const torch::Tensor& x);

    // Adds trainable A and B (registered as "lora_A", "lora_B"); base stays frozen.
    void enableLora(const LoraSettings& settings);
    bool hasLora() const { return m_hasLora; }
    // Folds scaling * B A into W and removes the adapter (inference only; not reversible).
    void merge();

    int64_t inFeatures() const { return weight.size(1); }
    int64_t outFeatures() const { return weight.size(0); }
    const LoraSettings& loraSettings() const { return m_settings; }

    torch::Tensor weight; // [out, in] frozen
    torch::Tensor bias;   // [out] frozen, undefined when absent
    torch::Tensor loraA;  // [r, in] f32
    torch::Tensor loraB;  // [out, r] f32

private:
    bool m_hasLora = false;
    LoraSettings m_settings;
};
TORCH_MODULE(LoraLinear);

} // namespace fsllm
