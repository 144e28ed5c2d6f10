// Mean ± standard deviation over seeds and the paired test against a baseline for every run of a
// results table (the CLI sweep summary, the studio's Runs table and its exports).
// Runs are grouped by configuration: every setting of run.json except the seed and the runtime
// (out, device, dtype, threads, log interval, gradient checkpointing). A group's baseline is the
// group with the same settings and the baseline mask (default: causal; lambda and mask-from-layer
// do not apply to it). The test is PairedStatistics::pairedBootstrap of mean(group) minus
// mean(baseline) over the dev units of DevUnits (examples, or sentences for token tasks), and,
// for sequence tasks, McNemar's exact test on the discordant examples summed over the seeds both
// groups have. Runs without dev predictions yet get a group but no score.
// No torch, no Qt. Thread-safety: compute() is reentrant (it reads files through DevUnits).
#pragma once

#include "maskspec.h"
#include "pairedstatistics.h"
#include "trainingconfig.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace fsllm {

struct SignificanceOptions {
    int resamples = PairedStatistics::kDefaultResamples;
    std::uint64_t seed = PairedStatistics::kDefaultSeed;
    MaskMode baseline = MaskMode::Causal;
};

struct RunSignificance {
    static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

    std::string group;  // the group's key (groupKey)
    std::string metric; // "accuracy", "entity F1", "token accuracy"; "" without dev predictions
    double score = kNaN; // this run's dev score, from its predictions
    int seeds = 0;       // runs of its group with dev predictions
    double mean = kNaN, std = kNaN;
    bool isBaseline = false; // its group is the baseline (the causal group)
    bool tested = false;     // difference, CI and p hold a test against the baseline group
    double difference = kNaN, ciLow = kNaN, ciHigh = kNaN, pValue = kNaN;
    double pMcNemar = kNaN; // sequence tasks with seeds in both groups
    std::string note;       // why there is no test ("no causal run with these settings", ...)
};

struct RunToCompare {
    std::string directory;
    TrainingConfig config;
};

class ResultsSignificance {
public:
    // One entry per run, in the order given. Malformed predictions files leave that run without
    // a score (its note names the file and problem); nothing throws for one bad run.
    static std::vector<RunSignificance> compute(const std::vector<RunToCompare>& runs,
                                                const SignificanceOptions& options = {});
    // The group of a run: its normalised settings without seed and runtime, as text.
    static std::string groupKey(const TrainingConfig& config);
    // The group key of `config`'s baseline (same settings, `baseline` mask).
    static std::string baselineKey(const TrainingConfig& config, MaskMode baseline);
};

} // namespace fsllm
