// Builds the additive attention bias M of docs/design.md §2 as a tensor, with padding keys masked
// in every mode. Thread-safe: pure functions.
#pragma once

#include "maskspec.h"

#include <torch/torch.h>

namespace fsllm {

// lengths: [B] int64, the number of real (non-pad) tokens of each right-padded row; T = padded
// length. Returns [B, 1, T, T] f32 on lengths' device: 0 for j <= i, spec.futureBias(j - i) for
// j > i, and -inf wherever key j is padding (j >= lengths[b]), in every mode.
torch::Tensor buildAttentionBias(const MaskSpec& spec, const torch::Tensor& lengths, int64_t T);

// [B, T] bool, true for real tokens of right-padded rows.
torch::Tensor tokenMask(const torch::Tensor& lengths, int64_t T);

} // namespace fsllm
