// Whether a run folder's training is complete, for a sweep that is run again after an
// interruption: complete runs are skipped, stopped ones resumed, the rest (re)started.
// Read from train.log the way the studio's RunStatus reads it: the last "finished: <reason>"
// after the last "training ..." / "resumed from step ..." line, with a reason other than
// "stopped by user" (early stopping is complete), and dev predictions beside it.
// No torch, no Qt. Thread-safety: reentrant (reads files only).
#pragma once

#include <string>

namespace fsllm {

enum class RunProgress {
    Missing,   // no run.json: a fresh run
    Running,   // a job holds the folder's lock
    Complete,  // finished, with dev predictions: skip it
    Resumable, // a checkpoint of an unfinished run: `fsllm train --resume`
    Restart    // run.json without a checkpoint (killed before step 1) or a failed run
};

class RunCompletion {
public:
    static RunProgress of(const std::string& runDir);
    static const char* name(RunProgress progress); // "missing", "running", "complete", ...
};

} // namespace fsllm
