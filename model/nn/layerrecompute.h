// Activation checkpointing for one decoder layer (as torch.utils.checkpoint does it): the forward
// runs without recording the layer's intermediate tensors and keeps only its input; backward runs
// the layer again with autograd on and differentiates that. Trades one more layer forward per
// backward for the activations of all but one layer at a time. The random state (LoRA dropout)
// is replayed, so the recomputed forward is the same forward.
// Gradients reach the layer's trainable parameters (LoRA A/B) by accumulation into their .grad,
// as a normal backward does. Thread-safety: as DecoderLayer::forward.
#pragma once

#include "decoderlayer.h"

#include <torch/torch.h>

namespace fsllm {

class LayerRecompute {
public:
    // x: [B, T, D]; cos, sin: [T, hd]; bias: [B, 1, T, T] f32 -> [B, T, D], as layer.forward.
    // `layer` must outlive the backward pass.
    static torch::Tensor forward(DecoderLayerImpl& layer, const torch::Tensor& x,
                                 const torch::Tensor& cos, const torch::Tensor& sin,
                                 const torch::Tensor& bias);
};

} // namespace fsllm
