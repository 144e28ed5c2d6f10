// Checks a training configuration before any run folder is created (issue 12, defect 4): the
// settings' ranges, the model folder (config.json, weights, tokenizer.model), both data files
// readable with at least two labels in the training data, and a run folder that holds no
// results yet (steps, a checkpoint or a best adapter). Throws FsllmError with the form's wording
// (FormWording) naming what to fix.
// Thread-safety: reentrant; reads files (call it off the GUI thread for large data files).
#pragma once

#include "trainingconfig.h"

namespace fsllm {

class RunPreflight {
public:
    static void check(const TrainingConfig& config);
};

} // namespace fsllm
