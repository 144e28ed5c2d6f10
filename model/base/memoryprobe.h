// This process's memory as Linux reports it (/proc/self/status, /proc/meminfo), for benchmarks
// and the "will it fit" warnings. No torch. Values are MiB; -1 when the system does not say.
// Thread-safety: every function may be called from any thread.
#pragma once

#include <atomic>
#include <thread>

namespace fsllm {

struct MemorySample {
    long residentMiB = -1;     // VmRSS: all resident pages
    long anonymousMiB = -1;    // RssAnon: private memory (tensors, buffers)
    long fileMiB = -1;         // RssFile: mapped files, e.g. a checkpoint used in place
    long peakResidentMiB = -1; // VmHWM: the highest VmRSS since start or resetPeak()
};

class MemoryProbe {
public:
    static MemorySample sample();
    // Starts a new peak (VmHWM) measurement; false where the kernel does not allow it.
    static bool resetPeak();
    // MemTotal and MemAvailable of the machine.
    static long totalRamMiB();
    static long availableRamMiB();
};

// Samples RssAnon every few milliseconds on a thread of its own while it lives: the peak of
// private memory over a phase, which VmHWM (all resident pages, mapped files included) cannot
// give. Thread-safety: construct and read from one thread.
class PrivatePeakSampler {
public:
    PrivatePeakSampler();
    ~PrivatePeakSampler();
    PrivatePeakSampler(const PrivatePeakSampler&) = delete;
    PrivatePeakSampler& operator=(const PrivatePeakSampler&) = delete;
    long peakMiB() const { return m_peak.load(); }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<long> m_peak{-1};
    std::thread m_thread;
};

} // namespace fsllm
