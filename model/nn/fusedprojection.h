// Several LoraLinear layers that read the same input (q, k, v of attention; gate and up of the
// feed-forward) computed as one: one matmul with the weights' rows side by side, and, when every
// part has an adapter with the same dropout, one dropout, one matmul with the A matrices stacked
// ([sum r, in]) and one with the B matrices block-diagonal ([sum out, sum r], each block scaled
// by its part's alpha / r). The dropout mask is then shared by the parts, as PEFT's is for a
// module that is fused in the checkpoint (ChatGLM's query_key_value). The parts stay separate
// modules with their own names, so checkpoints and PEFT adapters are unchanged.
// The fused path needs the parts' weights to be consecutive rows of one storage (pack() or
// allocateTogether() arranges that; a fused checkpoint tensor used in place already is);
// otherwise, e.g. after one part's weight was replaced, and whenever a base weight requires grad
// (pre-training), each part runs on its own.
// Thread-safety: forward as LoraLinear::forward; pack() not concurrently with anything.
#pragma once

#include "loralinear.h"

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace fsllm {

class FusedProjection {
public:
    explicit FusedProjection(std::vector<LoraLinear> parts);

    // x: [..., in] -> one tensor per part, [..., out_i], in x's dtype.
    std::vector<torch::Tensor> forward(const torch::Tensor& x, bool training);

    // Gives the parts' weights (and biases) untouched memory in one buffer, each part a view of
    // its rows. For construction: the pages are only touched when the weights are filled.
    void allocateTogether();
    // Copies the parts' weights (and biases) into one new buffer, each part a view of its rows.
    // Never for weights used in place from a read-only file mapping: it would copy them.
    void pack();
    // True when the weights are consecutive rows of one storage (and the biases, if any, too).
    bool packed() const;

private:
    // The parts' weights, and their biases (fewer than the parts when some have none).
    std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> baseTensors() const;

    std::vector<LoraLinear> m_parts;
    int64_t m_totalOut = 0;
};

} // namespace fsllm
