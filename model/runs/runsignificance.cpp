#include "runsignificance.h"

#include "devunits.h"

#include <cmath>
#include <map>
#include <optional>

namespace fsllm {

namespace {

// Settings that do not change what is learned, and the mask fields a mode ignores, are cleared.
TrainingConfig normalised(TrainingConfig c) {
    c.seed = 0;
    c.outDir.clear();
    c.device.clear();
    c.dtype.clear();
    c.threads = 0;
    c.logEvery = 0;
    c.gradientCheckpointing = false;
    if (c.mask.mode == MaskMode::Decay && std::isinf(c.mask.lambda))
        c.mask.mode = MaskMode::Causal; // lambda -> inf is the causal mask
    if (c.mask.mode != MaskMode::Decay)
        c.mask.lambda = 0.0;
    if (c.mask.mode == MaskMode::Causal)
        c.mask.fromLayer = 0;
    return c;
}

struct Group {
    std::vector<std::size_t> members; // indices into the runs
    std::vector<const DevUnits*> scored;
    std::vector<int> scoredSeeds;
};

} // namespace

std::string ResultsSignificance::groupKey(const TrainingConfig& config) {
    return normalised(config).toJsonText();
}

std::string ResultsSignificance::baselineKey(const TrainingConfig& config, MaskMode baseline) {
    TrainingConfig c = config;
    c.mask.mode = baseline;
    return groupKey(c);
}

std::vector<RunSignificance> ResultsSignificance::compute(const std::vector<RunToCompare>& runs,
                                                          const SignificanceOptions& options) {
    std::vector<RunSignificance> results(runs.size());
    std::vector<std::optional<DevUnits>> units(runs.size());
    std::map<std::string, Group> groups;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        RunSignificance& result = results[i];
        result.group = groupKey(runs[i].config);
        Group& group = groups[result.group];
        group.members.push_back(i);
        try {
            units[i] = DevUnits::read(runs[i].directory);
        } catch (const std::exception& e) {
            result.note = e.what();
        }
        if (!units[i])
            continue;
        result.metric = units[i]->metric;
        result.score = units[i]->scores.score();
        group.scored.push_back(&*units[i]);
        group.scoredSeeds.push_back(runs[i].config.seed);
    }
    for (auto& [key, group] : groups) {
        std::vector<double> scores;
        for (const DevUnits* dev : group.scored)
            scores.push_back(dev->scores.score());
        const TrainingConfig& config = runs[group.members.front()].config;
        const std::string baseKey = baselineKey(config, options.baseline);
        const bool isBaseline = baseKey == key;
        const auto baseline = groups.find(baseKey);
        RunSignificance shared;
        shared.seeds = int(group.scored.size());
        shared.mean = PairedStatistics::mean(scores);
        shared.std = PairedStatistics::standardDeviation(scores);
        shared.isBaseline = isBaseline;
        const std::string baselineName = maskModeName(options.baseline);
        if (isBaseline) {
            shared.note = "baseline";
        } else if (group.scored.empty()) {
            shared.note = "no dev predictions yet";
        } else if (baseline == groups.end() || baseline->second.scored.empty()) {
            shared.note = "no " + baselineName + " run with these settings";
        } else {
            const Group& base = baseline->second;
            bool sameDev = true;
            for (const DevUnits* dev : base.scored)
                sameDev = sameDev && dev->goldFingerprint == group.scored.front()->goldFingerprint;
            for (const DevUnits* dev : group.scored)
                sameDev = sameDev && dev->goldFingerprint == group.scored.front()->goldFingerprint;
            if (!sameDev) {
                shared.note = "the " + baselineName + " runs were scored on another dev set";
            } else {
                std::vector<const UnitScores*> candidates, baselines;
                for (const DevUnits* dev : group.scored)
                    candidates.push_back(&dev->scores);
                for (const DevUnits* dev : base.scored)
                    baselines.push_back(&dev->scores);
                const BootstrapResult test = PairedStatistics::pairedBootstrap(
                    candidates, baselines, options.resamples, options.seed);
                shared.tested = true;
                shared.difference = test.difference;
                shared.ciLow = test.ciLow;
                shared.ciHigh = test.ciHigh;
                shared.pValue = test.pValue;
                // McNemar (sequence tasks): discordant examples of the seeds both groups ran.
                int b = 0, c = 0;
                bool paired = false;
                for (std::size_t i = 0; i < group.scored.size(); ++i)
                    for (std::size_t j = 0; j < base.scored.size(); ++j) {
                        const DevUnits* run = group.scored[i];
                        const DevUnits* ref = base.scored[j];
                        if (group.scoredSeeds[i] != base.scoredSeeds[j] || run->correct.empty() ||
                            run->correct.size() != ref->correct.size())
                            continue;
                        const McNemarResult m = PairedStatistics::mcNemar(ref->correct, run->correct);
                        b += m.onlyBaselineCorrect;
                        c += m.onlyCandidateCorrect;
                        paired = true;
                    }
                if (paired)
                    shared.pMcNemar = PairedStatistics::mcNemar(b, c).pExact;
            }
        }
        for (const std::size_t i : group.members) {
            RunSignificance& result = results[i];
            const std::string metric = result.metric;
            const double score = result.score;
            const std::string note = result.note;
            result = shared;
            result.group = key;
            result.metric = metric.empty() && !group.scored.empty() ? group.scored.front()->metric
                                                                    : metric;
            result.score = score;
            if (!note.empty()) // this run's own problem comes first
                result.note = note;
        }
    }
    return results;
}

} // namespace fsllm
