// Where a training run stands, saved as checkpoint/state.json so a stopped run can resume at the
// same optimizer step and position in the epoch's batch order. Plain value type.
#pragma once

#include <string>

namespace fsllm {

struct TrainerState {
    int step = 0;             // optimizer steps done
    int epoch = 0;            // current epoch (0-based)
    int batchInEpoch = 0;     // micro-batches of this epoch already consumed
    double bestScore = -1.0;  // selection score of the best evaluation so far
    int evalsWithoutImprovement = 0;
    double wallSeconds = 0.0; // training time before this (re)start

    std::string toJsonText() const;
    // Throws FsllmError naming the file when it is missing or malformed.
    static TrainerState load(const std::string& path);
};

} // namespace fsllm
