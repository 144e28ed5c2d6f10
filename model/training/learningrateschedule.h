// Linear warm-up to the base rate, then linear or cosine decay to 0 at the last step, as Hugging
// Face's get_linear/cosine_schedule_with_warmup except that warm-up step s (0-based) of W uses
// base * (s + 1) / (W + 1) instead of base * s / W, so that no step has a rate of 0.
// After warm-up, p = (s - W) / (total - W): linear base * (1 - p), cosine base * (1 + cos(pi p)) / 2.
// Thread-safety: immutable value.
#pragma once

#include <string>

namespace fsllm {

class LearningRateSchedule {
public:
    LearningRateSchedule(double baseRate, int totalSteps, int warmupSteps, std::string kind);
    // Rate for optimizer step `step` (0-based: the rate used by the step about to happen).
    double at(int step) const;

private:
    double m_baseRate;
    int m_totalSteps;
    int m_warmupSteps;
    std::string m_kind;
};

} // namespace fsllm
