// A run folder on disk (DESIGN §5), the shared record between CLI and GUI:
//   run.json          resolved TrainingConfig
//   metrics.jsonl     one JSON object per logged step and per evaluation
//   train.log         human-readable log
//   best/             best-on-dev adapter (PEFT layout) + classifier.json
//   checkpoint/       latest adapter, head, optimizer and trainer state (for resume)
//   dev_predictions.* predictions of the best checkpoint on dev
// run.json and predictions are written atomically, metrics.jsonl and train.log are appended a
// line at a time (AtomicFile::appendLines), checkpoint folders are swapped with AtomicDirectory.
// Thread-safety: one writer (the training thread).
#pragma once

#include "trainingconfig.h"

#include <string>
#include <vector>

namespace fsllm {

class RunFolder {
public:
    // fresh: the folder must not already hold a run (run.json), so no result is overwritten.
    // !fresh (resume): existing metrics and log lines are kept; metrics after `keepUpToStep`
    // (steps the checkpoint does not cover) are dropped.
    RunFolder(std::string directory, bool fresh, int keepUpToStep = -1);

    const std::string& directory() const { return m_directory; }
    std::string path(const std::string& name) const { return m_directory + "/" + name; }

    void writeConfig(const TrainingConfig& config);
    void appendMetrics(const std::string& jsonLine);
    // Appends a timestamped line to train.log.
    void log(const std::string& message);

private:
    std::string m_directory;
};

} // namespace fsllm
