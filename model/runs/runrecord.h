// A finished or running run folder read back (for `fsllm eval`, the GUI's Runs tab and reports):
// its resolved config, metrics.jsonl records, and final dev scores. No torch.
// Thread-safety: value type; load() reads files only.
#pragma once

#include "trainingconfig.h"
#include "trainingrecords.h"

#include <optional>
#include <string>
#include <vector>

namespace fsllm {

struct RunRecord {
    std::string directory;
    TrainingConfig config;
    std::vector<StepRecord> steps;
    std::vector<EvalRecord> evals;

    // Throws FsllmError naming the file and line for a missing run.json or a malformed
    // metrics.jsonl line (a truncated last line, as a killed run may leave, is skipped).
    static RunRecord load(const std::string& directory);
    // The evaluation marked best last (the selected checkpoint), if any.
    std::optional<EvalRecord> best() const;
    // Folder name, for legends and tables.
    std::string name() const;
};

} // namespace fsllm
