// Data-parallel settings from the environment (see distributedsettings.h).
#include "distributedsettings.h"

#include "fsllmerror.h"
#include "jsontext.h"

#include <algorithm>
#include <cstdlib>

namespace fsllm {

namespace {

// An integer environment variable in [low, high]; `fallback` when unset and not required.
int integerVariable(const char* name, int low, int high, int fallback, bool required,
                    const std::string& hint) {
    const char* value = std::getenv(name);
    if (!value || !*value) {
        if (required)
            throw FsllmError(std::string("environment variable ") + name + " is not set; " + hint);
        return fallback;
    }
    char* end = nullptr;
    const long parsed = std::strtol(value, &end, 10);
    if (*end != '\0' || parsed < low || parsed > high)
        throw FsllmError(std::string("environment variable ") + name + "='" +
                         JsonText::shortened(value, 40) + "' is not an integer from " + std::to_string(low) + " to " +
                         std::to_string(high) + "; " + hint);
    return static_cast<int>(parsed);
}

} // namespace

DistributedSettings DistributedSettings::fromEnvironment() {
    DistributedSettings settings;
    const std::string launch = "set it as torchrun does, or use fsllm train --nproc N";
    settings.worldSize =
        integerVariable("WORLD_SIZE", 1, 1 << 16, 1, false, "the number of training processes");
    if (!settings.distributed())
        return settings;
    settings.rank = integerVariable("RANK", 0, settings.worldSize - 1, 0, true,
                                    "this process's rank, 0 to WORLD_SIZE - 1; " + launch);
    settings.localRank = integerVariable("LOCAL_RANK", 0, 1 << 16, settings.rank, false,
                                         "this process's rank on its machine");
    settings.localWorldSize = integerVariable("LOCAL_WORLD_SIZE", 1, settings.worldSize, 1, false,
                                              "the number of training processes on this machine");
    const char* addr = std::getenv("MASTER_ADDR");
    if (!addr || !*addr)
        throw FsllmError("environment variable MASTER_ADDR is not set; give the host name or "
                         "address of rank 0's machine (" +
                         launch + ")");
    settings.masterAddr = addr;
    settings.masterPort = integerVariable("MASTER_PORT", 1, 65535, 0, true,
                                          "a free TCP port on rank 0's machine; " + launch);
    settings.timeoutSeconds = integerVariable("FSLLM_DIST_TIMEOUT", 1, 24 * 3600, 300, false,
                                              "seconds a rank waits for the others");
    return settings;
}

int DistributedSettings::threadsPerProcess(int cores) const {
    return std::max(1, cores / std::max(1, localWorldSize));
}

std::vector<int> DistributedSettings::shardOf(const std::vector<int>& global, int rank,
                                              int worldSize) {
    const int size = static_cast<int>(global.size());
    const int base = size / worldSize, extra = size % worldSize;
    const int begin = rank * base + std::min(rank, extra);
    const int count = base + (rank < extra ? 1 : 0);
    return std::vector<int>(global.begin() + begin, global.begin() + begin + count);
}

} // namespace fsllm
