#include "tokenattribution.h"

#include "fsllmerror.h"

#include <algorithm>
#include <string>

namespace fsllm {

namespace {

// Scores `batch` [B, T, D] and returns (scores [B] detached f64, d sum(scores) / d batch).
std::pair<torch::Tensor, torch::Tensor> scoreAndGradient(const EmbeddingScore& score,
                                                         const torch::Tensor& batch) {
    torch::AutoGradMode enableGrad(true);
    auto leaf = batch.detach().requires_grad_(true);
    auto scores = score(leaf); // [B]
    if (scores.dim() != 1 || scores.size(0) != batch.size(0))
        throw FsllmError("token attribution: the score function must return one score per row");
    auto gradient = torch::autograd::grad({scores.sum()}, {leaf})[0]; // [B, T, D]
    return {scores.detach().to(torch::kCPU, torch::kFloat64), gradient.detach()};
}

} // namespace

torch::Tensor TokenAttribution::gradientTimesInput(const EmbeddingScore& score,
                                                   const torch::Tensor& input) {
    auto [scores, gradient] = scoreAndGradient(score, input.unsqueeze(0));
    return (gradient[0].to(torch::kFloat64) * input.to(torch::kFloat64))
        .sum(-1)
        .to(torch::kCPU); // [T]
}

IntegratedGradients TokenAttribution::integratedGradients(const EmbeddingScore& score,
                                                          const torch::Tensor& input,
                                                          const torch::Tensor& baseline,
                                                          int steps,
                                                          const std::function<bool()>& stop) {
    if (steps < 1 || steps > kMaxSteps)
        throw FsllmError("integrated gradients: steps must be 1.." + std::to_string(kMaxSteps) +
                         ", not " + std::to_string(steps));
    if (!input.sizes().equals(baseline.sizes()))
        throw FsllmError("integrated gradients: the baseline must have the input's shape");
    const auto difference = input - baseline; // [T, D]
    auto gradientSum = torch::zeros(input.sizes(), input.options().dtype(torch::kFloat64));
    for (int first = 0; first < steps; first += kStepsPerBatch) {
        if (stop && stop()) {
            IntegratedGradients stopped;
            stopped.cancelled = true;
            return stopped;
        }
        const int count = std::min(kStepsPerBatch, steps - first);
        // Midpoints u of [0, 1]; the path point is alpha = u^3 (d alpha / du = 3 u^2).
        auto u = (torch::arange(first, first + count, torch::kFloat64) + 0.5) / steps; // [n]
        auto alphas = u.pow(3).to(input.device(), input.scalar_type()).view({count, 1, 1});
        auto weights = (3.0 * u.pow(2)).view({count, 1, 1});                   // [n, 1, 1] f64
        auto points = baseline.unsqueeze(0) + alphas * difference.unsqueeze(0); // [n, T, D]
        auto [scores, gradient] = scoreAndGradient(score, points);
        gradientSum += (gradient.to(torch::kCPU, torch::kFloat64) * weights).sum(0).to(
            gradientSum.device());
    }
    IntegratedGradients result;
    result.steps = steps;
    result.attributions =
        (difference.to(torch::kFloat64) * gradientSum / steps).sum(-1).to(torch::kCPU); // [T]
    torch::NoGradGuard noGrad;
    result.inputScore = score(input.unsqueeze(0)).to(torch::kFloat64)[0].item<double>();
    result.baselineScore = score(baseline.unsqueeze(0)).to(torch::kFloat64)[0].item<double>();
    return result;
}

torch::Tensor TokenAttribution::zeroBaselineKeepingPrefix(const torch::Tensor& input,
                                                          int64_t prefix) {
    auto baseline = torch::zeros_like(input); // [T, D]
    const int64_t kept = std::min<int64_t>(std::max<int64_t>(prefix, 0), input.size(0));
    if (kept > 0)
        baseline.slice(0, 0, kept).copy_(input.slice(0, 0, kept));
    return baseline;
}

} // namespace fsllm
