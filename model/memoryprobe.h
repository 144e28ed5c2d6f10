// This process's memory as Linux reports it (/proc/self/status, /proc/meminfo), for benchmarks
// and the "will it fit" warnings. No torch. Values are MiB; -1 when the system does not say.
// Thread-safety: every function may be called from any thread.
#pragma once

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

} // namespace fsllm
