// An exclusive lock on a run folder, held by one training (or zero-shot) job for its whole life,
// so two jobs never write the same folder: flock() on "<folder>/.lock", which also holds the
// owner's process id for the message. The kernel drops the lock when the process dies, so a
// killed job never leaves a stale lock. flock locks belong to an open file description: a
// second RunLock on the same folder conflicts even inside one process.
// Thread-safety: one object per job; construction and destruction on any thread.
#pragma once

#include <string>

namespace fsllm {

class RunLock {
public:
    static constexpr const char* kFileName = ".lock";

    // Takes the lock or throws FsllmError: "run folder <dir> is in use by another job (pid N)",
    // or a message naming the lock file when it cannot be created (read-only folder, full disk).
    explicit RunLock(const std::string& directory);
    ~RunLock();
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

private:
    int m_fd = -1;
};

} // namespace fsllm
