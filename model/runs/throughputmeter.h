// Training throughput for metrics.jsonl's tokens_per_s: the tokens trained since the last record
// divided by the time spent training them. Time between pause() and resume() (evaluation,
// checkpoint saving, a paused job) counts for neither, so the record after an evaluation is
// measured like every other. Times are passed in, so the arithmetic is testable without a clock.
// Torch-free. Thread-safety: one thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace fsllm {

class ThroughputMeter {
public:
    using Clock = std::chrono::steady_clock;

    explicit ThroughputMeter(Clock::time_point now);

    void addTokens(int64_t tokens) { m_tokens += tokens; }
    // Stops counting time at `now` until resume(); a second pause() changes nothing.
    void pause(Clock::time_point now);
    void resume(Clock::time_point now);
    // Tokens per second of training time since the last take() (0 when no time has passed);
    // starts the next window at `now` with no tokens.
    double take(Clock::time_point now);

private:
    double m_seconds = 0.0; // training time in this window before the running stretch
    Clock::time_point m_since;
    bool m_paused = false;
    int64_t m_tokens = 0;
};

} // namespace fsllm
