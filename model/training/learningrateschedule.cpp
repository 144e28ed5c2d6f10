#include "learningrateschedule.h"

#include <algorithm>
#include <cmath>

namespace fsllm {

LearningRateSchedule::LearningRateSchedule(double baseRate, int totalSteps, int warmupSteps,
                                           std::string kind)
    : m_baseRate(baseRate), m_totalSteps(std::max(1, totalSteps)),
      m_warmupSteps(std::max(0, warmupSteps)), m_kind(std::move(kind)) {}

double LearningRateSchedule::at(int step) const {
    if (step < m_warmupSteps)
        return m_baseRate * static_cast<double>(step + 1) / static_cast<double>(m_warmupSteps + 1);
    const double span = std::max(1, m_totalSteps - m_warmupSteps);
    const double progress = std::clamp((step - m_warmupSteps) / span, 0.0, 1.0);
    if (m_kind == "cosine")
        return m_baseRate * 0.5 * (1.0 + std::cos(M_PI * progress));
    return m_baseRate * (1.0 - progress);
}

} // namespace fsllm
