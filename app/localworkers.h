// `fsllm train --nproc N`: a data-parallel job on this machine, launched the way torchrun does.
// Starts ranks 1..N-1 as child processes of this executable (`fsllm train` with the same
// arguments without --nproc) with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and a free
// MASTER_PORT, and sets the same variables (RANK=0) in this process, which then trains as rank 0
// and writes the run folder. A child's output goes to a log file in the temporary folder, named in
// messages. Thread-safety: use from the main thread.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace fsllm {

class LocalWorkers {
public:
    // Starts the children; `arguments` are train's (after "train"). Throws FsllmError for N < 2,
    // when WORLD_SIZE is already set (a launcher already did this), or when a child cannot be
    // started.
    LocalWorkers(int processes, const std::vector<std::string>& arguments);
    // Stops children that still run (SIGTERM) and waits for them.
    ~LocalWorkers();
    LocalWorkers(const LocalWorkers&) = delete;
    LocalWorkers& operator=(const LocalWorkers&) = delete;

    // Waits for every child; throws FsllmError naming the rank, its exit status and its log
    // when one failed.
    void wait();

    // The arguments without "--nproc N" (or "--nproc=N").
    static std::vector<std::string> withoutNproc(const std::vector<std::string>& arguments);

private:
    struct Child {
        int rank;
        pid_t pid;
        std::string log;
    };
    std::vector<Child> m_children;
};

} // namespace fsllm
