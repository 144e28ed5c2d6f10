// Facade for one fine-tuning run (no torch in this header): reads data, loads the model, trains
// LoRA + head with the configured mask, evaluates on dev, keeps the best checkpoint in the run
// folder. The job locks its run folder while it runs (a second job on it gets FsllmError "run
// folder X is in use by another job (pid N)"). run() blocks: call it on a worker thread.
// requestStop()/setPaused() may be called from any thread; the trainer checks them between
// optimizer steps.
#pragma once

#include "trainingconfig.h"
#include "trainingobserver.h"
#include "trainingrecords.h"

#include <memory>

namespace fsllm {

class TrainingJob {
public:
    explicit TrainingJob(TrainingConfig config);
    ~TrainingJob();

    // Runs to the end, early stopping, or a stop request (the current step finishes and a
    // checkpoint is saved); the run folder then holds run.json,
    // metrics.jsonl, the best adapter + head (PEFT layout), classifier.json, dev predictions and
    // train.log. Throws FsllmError for bad input or a non-finite loss (the folder keeps what was
    // written before). `observer` may be null.
    TrainingSummary run(TrainingObserver* observer);

    // A job that continues the stopped run in `runDir` from its last checkpoint (run.json +
    // checkpoint/ with adapter, head, optimizer and data-order state); a run killed before its
    // first checkpoint starts again from step 0. Throws FsllmError when run.json is missing.
    static std::unique_ptr<TrainingJob> resuming(const std::string& runDir);

    void requestStop();
    void setPaused(bool paused);
    bool paused() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
