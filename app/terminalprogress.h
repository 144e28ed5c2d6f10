// Prints a training run's progress to the terminal: one live line (step, epoch, loss, tokens/s,
// ETA) redrawn in place on a TTY, plain lines otherwise, and a line per evaluation.
// Thread-safety: called from the training thread only (the CLI trains on its main thread).
#pragma once

#include "trainingobserver.h"

namespace fsllm {

class TerminalProgress : public TrainingObserver {
public:
    TerminalProgress();
    void onStarted(const std::string& runDir, int totalSteps,
                   const std::vector<std::string>& labels) override;
    void onStep(const StepRecord& record) override;
    void onEval(const EvalRecord& record) override;
    void onMessage(const std::string& message) override;
    void onFinished(const TrainingSummary& summary) override;

private:
    void endLiveLine();
    bool m_tty;
    bool m_liveLine = false;
};

} // namespace fsllm
