// Linear warm-up from 0 to the base rate, then linear or cosine decay to 0 at the last step (as
// Hugging Face's get_linear/cosine_schedule_with_warmup). Thread-safety: immutable value.
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
