// The plain callback interface through which a training run reports progress (no Qt). All calls
// come from the training thread; an implementation that touches a GUI must hand the values over
// (the GUI's bridge re-emits them as queued signals). Default implementations do nothing.
#pragma once

#include "trainingrecords.h"

#include <string>
#include <vector>

namespace fsllm {

class TrainingObserver {
public:
    virtual ~TrainingObserver() = default;
    // After data, model and run folder are ready; labels in class-id order.
    virtual void onStarted(const std::string& /*runDir*/, int /*totalSteps*/,
                           const std::vector<std::string>& /*labels*/) {}
    virtual void onStep(const StepRecord& /*record*/) {}
    virtual void onEval(const EvalRecord& /*record*/) {}
    // Human-readable progress lines ("reading train.tsv", "truncated 3 examples", ...).
    virtual void onMessage(const std::string& /*message*/) {}
    virtual void onFinished(const TrainingSummary& /*summary*/) {}
};

} // namespace fsllm
