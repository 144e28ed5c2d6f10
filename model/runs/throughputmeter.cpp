#include "throughputmeter.h"

namespace fsllm {

namespace {

double secondsBetween(ThroughputMeter::Clock::time_point from,
                      ThroughputMeter::Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

} // namespace

ThroughputMeter::ThroughputMeter(Clock::time_point now) : m_since(now) {}

void ThroughputMeter::pause(Clock::time_point now) {
    if (m_paused)
        return;
    m_seconds += secondsBetween(m_since, now);
    m_paused = true;
}

void ThroughputMeter::resume(Clock::time_point now) {
    if (!m_paused)
        return;
    m_since = now;
    m_paused = false;
}

double ThroughputMeter::take(Clock::time_point now) {
    const double seconds = m_seconds + (m_paused ? 0.0 : secondsBetween(m_since, now));
    const double rate = seconds > 0.0 ? static_cast<double>(m_tokens) / seconds : 0.0;
    m_seconds = 0.0;
    m_tokens = 0;
    m_since = now;
    return rate;
}

} // namespace fsllm
