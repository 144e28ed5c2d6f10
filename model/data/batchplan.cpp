#include "batchplan.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace fsllm {

namespace {

std::vector<std::vector<int>> cut(const std::vector<int>& order, int batchSize) {
    std::vector<std::vector<int>> batches;
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batchSize)) {
        const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(batchSize));
        batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(start),
                             order.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return batches;
}

} // namespace

std::vector<std::vector<int>> BatchPlan::shuffled(const std::vector<int>& lengths, int batchSize,
                                                  uint64_t seed, int epoch) {
    std::mt19937_64 random(seed * 1000003ULL + static_cast<uint64_t>(epoch));
    std::vector<int> order(lengths.size());
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), random);
    const std::size_t pool = static_cast<std::size_t>(batchSize) * 32;
    for (std::size_t start = 0; start < order.size(); start += pool) {
        auto first = order.begin() + static_cast<std::ptrdiff_t>(start);
        auto last = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), start + pool));
        std::stable_sort(first, last, [&](int a, int b) { return lengths[a] < lengths[b]; });
    }
    auto batches = cut(order, batchSize);
    std::shuffle(batches.begin(), batches.end(), random);
    return batches;
}

std::vector<std::vector<int>> BatchPlan::sorted(const std::vector<int>& lengths, int batchSize) {
    std::vector<int> order(lengths.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return lengths[a] < lengths[b]; });
    return cut(order, batchSize);
}

} // namespace fsllm
