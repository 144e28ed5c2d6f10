#include "pairedstatistics.h"

#include "fsllmerror.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace fsllm {

namespace {

double ratio(double numerator, double denominator) {
    return denominator > 0.0 ? numerator / denominator : 0.0;
}

double scoreOf(ScoreKind kind, const UnitCounts& total) {
    return kind == ScoreKind::F1 ? ratio(2.0 * total.correct, total.predicted + total.gold)
                                 : ratio(total.correct, total.gold);
}

// splitmix64: a small generator whose sequence is the same on every platform and library (the
// standard distributions are not), so a seed gives the same intervals everywhere.
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n) by rejection (no modulo bias).
    std::size_t below(std::size_t n) {
        const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                    std::numeric_limits<std::uint64_t>::max() % n;
        std::uint64_t value;
        do
            value = next();
        while (value >= limit);
        return static_cast<std::size_t>(value % n);
    }

private:
    std::uint64_t m_state;
};

// The q-quantile of sorted values, linear between neighbours (numpy's default).
double quantile(const std::vector<double>& sorted, double q) {
    const double position = q * double(sorted.size() - 1);
    const std::size_t below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (position - double(below)) * (sorted[above] - sorted[below]);
}

double meanScore(const std::vector<const UnitScores*>& runs, const std::vector<int>* weights) {
    double sum = 0.0;
    for (const UnitScores* run : runs)
        sum += weights ? run->weightedScore(*weights) : run->score();
    return sum / double(runs.size());
}

} // namespace

double UnitScores::score() const {
    UnitCounts total;
    for (const UnitCounts& unit : units) {
        total.correct += unit.correct;
        total.predicted += unit.predicted;
        total.gold += unit.gold;
    }
    return scoreOf(kind, total);
}

double UnitScores::weightedScore(const std::vector<int>& weights) const {
    UnitCounts total;
    for (std::size_t i = 0; i < units.size(); ++i) {
        const double w = weights[i];
        total.correct += w * units[i].correct;
        total.predicted += w * units[i].predicted;
        total.gold += w * units[i].gold;
    }
    return scoreOf(kind, total);
}

double PairedStatistics::mean(const std::vector<double>& values) {
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    double sum = 0.0;
    for (const double value : values)
        sum += value;
    return sum / double(values.size());
}

double PairedStatistics::standardDeviation(const std::vector<double>& values) {
    if (values.empty())
        return std::numeric_limits<double>::quiet_NaN();
    if (values.size() == 1)
        return 0.0;
    const double m = mean(values);
    double squares = 0.0;
    for (const double value : values)
        squares += (value - m) * (value - m);
    return std::sqrt(squares / double(values.size() - 1));
}

McNemarResult PairedStatistics::mcNemar(int b, int c) {
    if (b < 0 || c < 0)
        throw FsllmError("McNemar's test: discordant counts must not be negative");
    McNemarResult result;
    result.onlyBaselineCorrect = b;
    result.onlyCandidateCorrect = c;
    const int n = b + c;
    if (n == 0)
        return result; // no discordant pair: no evidence of a difference
    // Exact: twice the lower binomial tail at 1/2, in logs so that large n do not overflow.
    const int k = std::min(b, c);
    double tail = 0.0;
    for (int i = 0; i <= k; ++i)
        tail += std::exp(std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) -
                         n * std::log(2.0));
    result.pExact = std::min(1.0, 2.0 * tail);
    // Chi-square with Edwards' continuity correction; survival function of 1 degree of freedom.
    const double corrected = std::max(0.0, std::abs(double(b - c)) - 1.0);
    const double statistic = corrected * corrected / double(n);
    result.pChiSquare = std::erfc(std::sqrt(statistic / 2.0));
    return result;
}

McNemarResult PairedStatistics::mcNemar(const std::vector<bool>& baselineCorrect,
                                        const std::vector<bool>& candidateCorrect) {
    if (baselineCorrect.size() != candidateCorrect.size())
        throw FsllmError("McNemar's test: the runs predicted different numbers of examples (" +
                         std::to_string(baselineCorrect.size()) + " and " +
                         std::to_string(candidateCorrect.size()) + "); pair runs on one dev set");
    int b = 0, c = 0;
    for (std::size_t i = 0; i < baselineCorrect.size(); ++i) {
        b += baselineCorrect[i] && !candidateCorrect[i] ? 1 : 0;
        c += !baselineCorrect[i] && candidateCorrect[i] ? 1 : 0;
    }
    return mcNemar(b, c);
}

BootstrapResult PairedStatistics::pairedBootstrap(const std::vector<const UnitScores*>& candidates,
                                                  const std::vector<const UnitScores*>& baselines,
                                                  int resamples, std::uint64_t seed) {
    if (candidates.empty() || baselines.empty())
        throw FsllmError("paired bootstrap: each group needs at least one run");
    if (resamples < 1)
        throw FsllmError("paired bootstrap: resamples must be at least 1");
    const std::size_t n = candidates.front()->units.size();
    for (const auto* group : {&candidates, &baselines})
        for (const UnitScores* run : *group)
            if (run->units.size() != n)
                throw FsllmError("paired bootstrap: the runs scored different numbers of dev "
                                 "units (" + std::to_string(n) + " and " +
                                 std::to_string(run->units.size()) +
                                 "); pair runs on one dev set");
    BootstrapResult result;
    result.resamples = resamples;
    result.difference = meanScore(candidates, nullptr) - meanScore(baselines, nullptr);
    if (n == 0) {
        result.ciLow = result.ciHigh = result.difference;
        return result;
    }
    SplitMix64 random(seed);
    std::vector<double> differences(static_cast<std::size_t>(resamples));
    std::vector<int> weights(n);
    int extreme = 0;
    for (double& difference : differences) {
        std::fill(weights.begin(), weights.end(), 0);
        for (std::size_t draw = 0; draw < n; ++draw)
            ++weights[random.below(n)];
        difference = meanScore(candidates, &weights) - meanScore(baselines, &weights);
        // Centred at the observed difference: how often chance alone moves it as far as observed.
        // The tolerance keeps identical runs (every difference 0) at p = 1 despite rounding.
        if (std::abs(difference - result.difference) >= std::abs(result.difference) - 1e-12)
            ++extreme;
    }
    std::sort(differences.begin(), differences.end());
    result.ciLow = quantile(differences, 0.025);
    result.ciHigh = quantile(differences, 0.975);
    result.pValue = double(1 + extreme) / double(1 + resamples);
    return result;
}

} // namespace fsllm
