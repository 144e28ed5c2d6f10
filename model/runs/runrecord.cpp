#include "runrecord.h"

#include "bestrecord.h"
#include "fsllmerror.h"
#include "metricstail.h"

#include <filesystem>

namespace fsllm {

RunRecord RunRecord::load(const std::string& directory) {
    RunRecord run;
    run.directory = directory;
    run.config = TrainingConfig::load(directory + "/" + TrainingConfig::kFileName);
    // A run that has not logged yet has no metrics.jsonl: no records.
    MetricsTail::Batch records = MetricsTail(directory + "/metrics.jsonl").poll();
    run.steps = std::move(records.steps);
    run.evals = std::move(records.evals);
    // best/ wins when a kill left it ahead of metrics.jsonl (see bestrecord.h).
    if (const std::optional<BestRecord> best = BestRecord::read(directory))
        best->reconcile(run.evals);
    return run;
}

std::optional<EvalRecord> RunRecord::best() const {
    std::optional<EvalRecord> found;
    for (const auto& eval : evals)
        if (eval.isBest)
            found = eval;
    return found;
}

std::string RunRecord::name() const {
    return std::filesystem::path(directory).filename().string();
}

} // namespace fsllm
