#include "terminalprogress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace fsllm {

namespace {

std::string duration(double seconds) {
    const long total = static_cast<long>(seconds + 0.5);
    std::ostringstream out;
    if (total >= 3600)
        out << total / 3600 << "h" << (total % 3600) / 60 << "m";
    else if (total >= 60)
        out << total / 60 << "m" << total % 60 << "s";
    else
        out << total << "s";
    return out.str();
}

} // namespace

TerminalProgress::TerminalProgress() : m_tty(isatty(STDOUT_FILENO) != 0) {}

void TerminalProgress::endLiveLine() {
    if (m_liveLine)
        std::cout << "\n";
    m_liveLine = false;
}

void TerminalProgress::onStarted(const std::string& runDir, int totalSteps,
                                 const std::vector<std::string>& labels) {
    endLiveLine();
    std::cout << "run folder " << runDir << ": " << totalSteps << " steps, " << labels.size()
              << " labels" << std::endl;
}

void TerminalProgress::onStep(const StepRecord& r) {
    char line[200];
    std::snprintf(line, sizeof(line),
                  "step %d/%d  epoch %.2f  loss %.4f  lr %.2e  %.0f tok/s  elapsed %s  ETA %s",
                  r.step, r.totalSteps, r.epoch, r.trainLoss, r.learningRate, r.tokensPerSecond,
                  duration(r.wallSeconds).c_str(), duration(r.etaSeconds).c_str());
    if (m_tty) {
        std::cout << "\r\033[K" << line << std::flush;
        m_liveLine = true;
    } else {
        std::cout << line << std::endl;
    }
}

void TerminalProgress::onEval(const EvalRecord&) {
    // The trainer's own message (onMessage) already describes the evaluation.
}

void TerminalProgress::onMessage(const std::string& message) {
    endLiveLine();
    std::cout << message << std::endl;
}

void TerminalProgress::onFinished(const TrainingSummary& summary) {
    endLiveLine();
    std::cout << "best dev: accuracy " << summary.best.accuracy << ", P " << summary.best.precision
              << ", R " << summary.best.recall << ", F1 " << summary.best.f1 << " (step "
              << summary.best.step << "); adapter in " << summary.runDir << "/best" << std::endl;
}

} // namespace fsllm
