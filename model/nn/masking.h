// Builds the additive attention bias M of docs/design.md §2 as a tensor, with padding keys masked
// in every mode. Thread-safe: pure functions.
#pragma once

#include "maskspec.h"

#include <torch/torch.h>

namespace fsllm {

// lengths: [B] int64, the number of real (non-pad) tokens of each right-padded row; T = padded
// length. Returns [B, 1, T, T] f32 on lengths' device: 0 for j <= i, spec.futureBias(j - i) for
// j > i, and -inf wherever key j is padding (j >= lengths[b]), in every mode.
//
// slidingWindow W > 0 (Mistral / Qwen sliding_window) also masks every key farther than the
// window, |i - j| >= W, in every mode: causal sees keys i-W < j <= i (exactly Hugging Face's
// sliding-window causal mask, kv_idx > q_idx - W), bidirectional sees |i - j| < W, and decay
// keeps its -lambda * (j - i) weights for the future keys inside the window. Padding query rows
// (i >= lengths[b]) are not windowed, so no row is ever entirely -inf. W = 0 or W >= T changes
// nothing.
torch::Tensor buildAttentionBias(const MaskSpec& spec, const torch::Tensor& lengths, int64_t T,
                                 int64_t slidingWindow = 0);

// [B, T] bool, true for real tokens of right-padded rows.
torch::Tensor tokenMask(const torch::Tensor& lengths, int64_t T);

} // namespace fsllm
