// Fault injection for crash-consistency tests: every file-system step of the atomic write paths
// (AtomicFile, AtomicDirectory, RunLock) is counted here, and the Nth one can be made to fail
// with ENOSPC (once, or from then on like a full disk), fail with EROFS (a read-only folder), or
// kill the process (SIGKILL) just before it happens, or (tests) throw SimulatedCrash. Off unless
// set: by the environment variable FSLLM_FAULT ("enospc@N", "full@N", "readonly@N", "kill@N"; N
// counts from 1) read on the first step, or by set() from a test. FSLLM_FAULT_TRACE=<file> appends
// "N kind path" per step. Thread-safe.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

enum class FileStep { Create, Write, Sync, Rename, MakeFolder, Remove };
enum class FaultMode { None, FailOnce, DiskFull, ReadOnly, Kill, Crash };

// Thrown by the Crash fault: a simulated kill for in-process tests. Not a std::exception, so no
// error handler of the engine catches it and nothing is cleaned up, as after a real kill.
struct SimulatedCrash {
    long step = 0;
};

class FileFaults {
public:
    // Counts one step on `path`. Returns 0 when it may go ahead, else the errno value it must
    // fail with. Does not return when the step is the kill point.
    static int step(FileStep kind, const std::string& path);

    // Tests: fault `mode` at step `at` (1-based, counted from this call); resets the counter.
    static void set(FaultMode mode, long at);
    // Tests: no fault, counter back to 0, trace cleared.
    static void reset();
    // Steps counted since the last set()/reset() (or the process start).
    static long count();
    // Tests: keep "N kind path" for every step in memory (see trace()).
    static void setTracing(bool on);
    static std::vector<std::string> trace();
    static const char* kindName(FileStep kind);
    // Tests with simulated kills only: skip the fsync system calls (still counted as steps). A
    // simulated kill keeps the page cache, so syncing proves nothing there and costs most of the
    // suite's time on a busy disk. On by default; never turned off outside tests.
    static void setSyncEnabled(bool on);
    static bool syncEnabled();
};

} // namespace fsllm
