// A run folder on disk, the shared record between CLI and GUI:
//   run.json          resolved TrainingConfig
//   metrics.jsonl     one JSON object per logged step and per evaluation
//   train.log         human-readable log
//   best/             best-on-dev adapter (PEFT layout), classifier.json, best.json (its step and
//                     scores) and its dev predictions, all in one atomic folder swap
//   checkpoint/       latest adapter, head, optimizer and trainer state (for resume)
//   dev_predictions.* predictions of the best checkpoint on dev (a copy of best/'s)
//   .lock             held (flock) by the job writing the folder; see RunLock
// run.json and predictions are written atomically, metrics.jsonl and train.log are appended a
// line at a time (AtomicFile::appendLines), checkpoint folders are swapped with AtomicDirectory.
// Thread-safety: one writer (the training thread); the lock keeps other processes and jobs out.
#pragma once

#include "runlock.h"
#include "trainingconfig.h"

#include <memory>
#include <string>
#include <vector>

namespace fsllm {

class RunFolder {
public:
    // Creates the folder if needed and locks it for the life of this object (throws FsllmError
    // "run folder X is in use by another job (pid N)" when another job holds it). Removes
    // temporary files left by killed processes.
    explicit RunFolder(std::string directory);
    ~RunFolder();

    // Claims the folder for a new run. Throws when it already holds a run with results
    // (a checkpoint, best/ or dev metrics). A run.json without results (a run killed before its
    // first checkpoint) is started again: its metrics are cleared and true is returned.
    // discardResults: also clear best/ and predictions (a resume that found no checkpoint).
    bool startFresh(bool discardResults = false);
    // Reopens for resume: existing metrics and log lines are kept; metrics after `keepUpToStep`
    // (steps the checkpoint does not cover) are dropped.
    void reopen(int keepUpToStep);
    // True when the folder holds a checkpoint, best/, dev metrics or evaluations/ (a zero-shot
    // run's scores).
    bool holdsResults() const;

    const std::string& directory() const { return m_directory; }
    std::string path(const std::string& name) const { return m_directory + "/" + name; }

    void writeConfig(const TrainingConfig& config);
    void appendMetrics(const std::string& jsonLine);
    // Appends a timestamped line to train.log.
    void log(const std::string& message);

private:
    std::string m_directory;
    std::unique_ptr<RunLock> m_lock;
};

} // namespace fsllm
