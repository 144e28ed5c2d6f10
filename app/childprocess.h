// A child process of the CLI (a sweep's `fsllm train`), started with posix_spawn in a process
// group of its own (so that a terminal's Ctrl-C reaches only the parent, which then asks each
// child once to stop), its stdout and stderr appended to a log file. No Qt.
// Thread-safety: main thread only.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace fsllm {

class ChildProcess {
public:
    // This executable (/proc/self/exe), for starting another fsllm command.
    static std::string selfPath();
    // Starts `program` with `args` (argv[1]...). Throws FsllmError naming the program and log.
    static pid_t start(const std::string& program, const std::vector<std::string>& args,
                       const std::string& logPath);
    // Waits for any child; returns its pid and sets `exitCode` (128 + the signal for a child
    // killed by one). Returns -1 when there is no child; retries when interrupted by a signal
    // unless `interrupted` is set, then returns 0.
    static pid_t waitAny(int& exitCode, const volatile bool* interrupted = nullptr);
    // SIGTERM to the child (a training job checkpoints and stops after its current step).
    static void terminate(pid_t pid);
};

} // namespace fsllm
