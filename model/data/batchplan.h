// The order of batches: seeded shuffling with length bucketing (examples of similar length share
// a batch, so little compute goes to padding), reproducible from (seed, epoch) alone, which is
// what lets a resumed run continue with the same data order. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

namespace fsllm {

class BatchPlan {
public:
    // Training order for one epoch: indices shuffled, cut into pools of 32 batches, each pool
    // sorted by length and cut into batches, then the batches shuffled.
    static std::vector<std::vector<int>> shuffled(const std::vector<int>& lengths, int batchSize,
                                                  uint64_t seed, int epoch);
    // Evaluation order: sorted by length (fast), every example exactly once.
    static std::vector<std::vector<int>> sorted(const std::vector<int>& lengths, int batchSize);
};

} // namespace fsllm
