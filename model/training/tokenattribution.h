// Token attribution for a differentiable score of token embeddings (docs/design.md, "Token
// attribution"): gradient x input and integrated gradients (Sundararajan et al. 2017), each
// summed over the embedding dimension to one signed number per token.
//   gradient x input:     a_t = sum_d x[t,d] * df/dx[t,d]  (at the input x)
//   integrated gradients: a_t = sum_d (x - x')[t,d] * integral_0^1 df/dx[t,d] at x' + a (x - x') da
//                         on the straight path, with a = u^3 and the midpoint rule in u
//                         (u_k = (k + 0.5) / steps, weight 3 u_k^2 / steps): RMSNorm makes f
//                         nearly scale-invariant, so with a zero baseline it changes mostly near
//                         a = 0, where u^3 puts more points. sum_t a_t -> f(x) - f(x') with an
//                         error that falls as 1/steps^2.
// The score function maps a batch of embeddings [B, T, D] to one score per row [B]; it runs with
// gradients enabled whatever the caller's guard. Thread-safety: stateless; the score function's.
#pragma once

#include <torch/torch.h>

#include <functional>

namespace fsllm {

using EmbeddingScore = std::function<torch::Tensor(const torch::Tensor& embeddings)>;

struct IntegratedGradients {
    torch::Tensor attributions; // [T] f64 on the CPU
    double inputScore = 0.0;    // f(x)
    double baselineScore = 0.0; // f(x')
    int steps = 0;
    bool cancelled = false; // `stop` said so before the end: attributions undefined
};

class TokenAttribution {
public:
    static constexpr int kDefaultSteps = 32;
    static constexpr int kMaxSteps = 1024;
    static constexpr int kStepsPerBatch = 8; // interpolation points per forward/backward pass

    // input: [T, D] -> [T] f64 on the CPU.
    static torch::Tensor gradientTimesInput(const EmbeddingScore& score, const torch::Tensor& input);

    // input, baseline: [T, D] of the same dtype and device; steps in 1..kMaxSteps (FsllmError
    // otherwise). `stop` (may be empty) is polled before each batch of kStepsPerBatch points.
    static IntegratedGradients integratedGradients(const EmbeddingScore& score,
                                                   const torch::Tensor& input,
                                                   const torch::Tensor& baseline, int steps,
                                                   const std::function<bool()>& stop = {});

    // The baseline the engine uses: every token's embedding [T, D] zeroed except the first
    // `prefix` ones (the tokenizer's prefix: BOS, or ChatGLM's [gMASK] sop, kept so the input
    // still starts as the model expects; their attribution is 0).
    static torch::Tensor zeroBaselineKeepingPrefix(const torch::Tensor& input, int64_t prefix);
};

} // namespace fsllm
