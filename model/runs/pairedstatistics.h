// The statistics of the results tables (docs: README "Significance"): mean and standard deviation
// over seeds, McNemar's test for paired accuracy, and the paired bootstrap over dev examples of a
// score difference between two groups of runs scored on the same dev set.
// A dev "unit" is what the bootstrap resamples: one example of a sequence task, one sentence of a
// token task. Each unit carries counts that add up over units to the corpus score, so a resample
// recomputes the score exactly as the metric does (accuracy = correct / gold; entity F1 =
// 2 correct / (predicted + gold), conlleval's chunk counts summed over sentences).
// No torch, no Qt. Thread-safety: pure functions on value types; deterministic for a given seed.
#pragma once

#include <cstdint>
#include <vector>

namespace fsllm {

enum class ScoreKind {
    Accuracy, // sum(correct) / sum(gold); gold = items of the unit (1 per example, words)
    F1        // 2 sum(correct) / (sum(predicted) + sum(gold)); chunks (entity F1)
};

struct UnitCounts {
    double correct = 0.0;
    double predicted = 0.0;
    double gold = 0.0;
};

// One run's per-unit counts on a dev set, in the dev file's order.
struct UnitScores {
    ScoreKind kind = ScoreKind::Accuracy;
    std::vector<UnitCounts> units;

    // The corpus score from the summed counts; 0 when the denominator is 0.
    double score() const;
    // The score of the units weighted by `weights` (a bootstrap resample's multiplicities).
    double weightedScore(const std::vector<int>& weights) const;
};

struct McNemarResult {
    int onlyBaselineCorrect = 0;  // b: baseline right, candidate wrong
    int onlyCandidateCorrect = 0; // c: candidate right, baseline wrong
    double pExact = 1.0;          // two-sided exact binomial test of b vs c at p = 1/2
    double pChiSquare = 1.0;      // (|b - c| - 1)^2 / (b + c), 1 degree of freedom; 1 when b + c = 0
};

struct BootstrapResult {
    double difference = 0.0; // observed: mean score of the candidates minus that of the baselines
    double ciLow = 0.0;      // 2.5th and 97.5th percentiles of the resampled differences
    double ciHigh = 0.0;
    double pValue = 1.0; // two-sided: (1 + #{|d* - d| >= |d|}) / (1 + resamples)
    int resamples = 0;
};

class PairedStatistics {
public:
    static constexpr int kDefaultResamples = 1000;
    static constexpr std::uint64_t kDefaultSeed = 20260501;

    static double mean(const std::vector<double>& values); // NaN when empty
    // Sample standard deviation (n - 1); 0 for one value, NaN when empty.
    static double standardDeviation(const std::vector<double>& values);

    static McNemarResult mcNemar(int onlyBaselineCorrect, int onlyCandidateCorrect);
    // From per-example correctness of the same examples (sizes must match; throws FsllmError).
    static McNemarResult mcNemar(const std::vector<bool>& baselineCorrect,
                                 const std::vector<bool>& candidateCorrect);

    // Paired bootstrap over units: every resample draws units.size() units with replacement (the
    // same draw for every run), recomputes each run's score from the drawn units' counts, and
    // takes mean(candidates) - mean(baselines). Both groups need at least one run and all runs
    // the same number of units (throws FsllmError otherwise). Deterministic for `seed`.
    static BootstrapResult pairedBootstrap(const std::vector<const UnitScores*>& candidates,
                                           const std::vector<const UnitScores*>& baselines,
                                           int resamples = kDefaultResamples,
                                           std::uint64_t seed = kDefaultSeed);
};

} // namespace fsllm
