// Per-token statistics of one sentence's attention (InspectResult), averaged over layers and
// heads, and the lambda grid of the Inspect tab's "λ sweep":
//   entropy of query row i:  H_i = -sum_j p_ij ln p_ij   (nats; 0 for a one-hot row, ln(T) for
//                            a uniform row over T keys)
//   future share of row i:   F_i = sum_{j > i} p_ij      (0 under the causal mask)
// Thread-safety: pure functions (the inspect worker calls them off the GUI thread).
#pragma once

#include "inspectresult.h"

#include <string>
#include <vector>

namespace fsllm {

// Statistics over a lambda grid (decay mask) for one sentence.
struct LambdaSweep {
    std::vector<double> lambdas;   // [G], increasing, lambdas[0] = 0 (= bidirectional)
    std::vector<std::string> tokens; // [T]
    std::vector<double> entropy;   // [G][T] row-major, mean over layers and heads
    std::vector<double> futureShare; // [G][T]
    std::vector<double> causalEntropy; // [T] under the causal mask (the lambda -> inf limit)

    int tokenCount() const { return int(tokens.size()); }
    // Token t's series over the grid (t = -1: the mean over tokens), [G].
    std::vector<double> entropyOf(int token) const;
    std::vector<double> futureShareOf(int token) const;
    double causalEntropyOf(int token) const;
};

class AttentionStatistics {
public:
    static constexpr int kDefaultGridPoints = 17;

    // [T] row entropies / future shares, each the mean over layers and heads. Empty when the
    // result holds no attention.
    static std::vector<double> rowEntropy(const InspectResult& result);
    static std::vector<double> futureShare(const InspectResult& result);
    // `points` lambdas from 0 to maxLambda (points >= 2), spaced finer near 0:
    // maxLambda * (exp(4x) - 1) / (exp(4) - 1) for x evenly spaced in [0, 1].
    static std::vector<double> lambdaGrid(int points, double maxLambda);
};

} // namespace fsllm
