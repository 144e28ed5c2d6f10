// Where this process sits in a data-parallel training job, from the environment torchrun, Slurm
// and Kubernetes PyTorch jobs set: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE (processes on
// this machine; torchrun sets it, default 1), MASTER_ADDR, MASTER_PORT, and FSLLM_DIST_TIMEOUT (seconds a rank waits for the others, default 300). Without WORLD_SIZE (or
// with WORLD_SIZE=1) training runs in this process alone. Torch-free; plain value type.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

struct DistributedSettings {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    double timeoutSeconds = 300.0;

    bool distributed() const { return worldSize > 1; }

    // Reads the variables above. Throws FsllmError("environment variable RANK: ...") naming the
    // variable and what to set for a non-integer, out-of-range or missing value (RANK,
    // MASTER_ADDR and MASTER_PORT are required once WORLD_SIZE > 1).
    static DistributedSettings fromEnvironment();

    // Torch threads per process for "all cores" (--threads 0): the machine's cores shared by
    // the processes on it, at least 1 (several processes each using every core would wait for
    // one another's busy cores).
    int threadsPerProcess(int cores) const;

    // Rank `rank`'s part of one global batch: a contiguous slice, sizes differing by at most
    // one (the first `size % world` ranks take one more). Every index goes to exactly one rank.
    static std::vector<int> shardOf(const std::vector<int>& global, int rank, int worldSize);
};

} // namespace fsllm
