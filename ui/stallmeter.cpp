#include "stallmeter.h"

#include <algorithm>

namespace fsllm {

StallMeter::StallMeter(QObject* parent) : QObject(parent) {
    m_timer.setInterval(kIntervalMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &StallMeter::onTick);
}

void StallMeter::start() {
    m_maxStallMs = 0.0;
    m_ticks = 0;
    m_reportedMs = -1;
    m_clock.start();
    m_lastNs = 0;
    m_timer.start();
}

void StallMeter::stop() {
    m_timer.stop();
}

void StallMeter::onTick() {
    const qint64 now = m_clock.nsecsElapsed();
    if (m_ticks > 0) {
        const double lateMs = double(now - m_lastNs) / 1e6 - kIntervalMs;
        m_maxStallMs = std::max(m_maxStallMs, lateMs);
    }
    m_lastNs = now;
    ++m_ticks;
    const int whole = int(m_maxStallMs);
    if (whole != m_reportedMs && m_ticks > 1) {
        m_reportedMs = whole;
        emit maxStallChanged(m_maxStallMs);
    }
}

} // namespace fsllm
