// Colour-scale choices for attention maps (the Inspect tab's "Scale" selector):
//   Global: the probabilities as they are, one colour range [0, max] shared by every map shown
//           together (the three masks, or all heads of the grid);
//   PerRow: each query row divided by its own maximum, so every row's strongest key is 1 (shows
//           where each token looks, however peaked or flat its row is);
//   Log:    log10 of the probabilities, clamped below at kLogFloor (shows small weights, e.g.
//           the decay mask's tail to the future).
// Thread-safety: pure functions.
#pragma once

#include <QString>

#include <vector>

namespace fsllm {

constexpr float kLogFloor = 1e-4f; // AttentionScale::Log shows log10(max(p, kLogFloor))

enum class AttentionScale { Global, PerRow, Log };

class AttentionScaling {
public:
    static QString name(AttentionScale scale); // "global", "per row", "log10"
    // `values` row-major [T][T] probabilities -> the same shape, rescaled. Global returns them as
    // they are; a row of zeros stays zeros under PerRow.
    static std::vector<float> apply(const std::vector<float>& values, int tokenCount,
                                    AttentionScale scale);
    // The largest finite value (0 when none): the top of a Global range.
    static float maximum(const std::vector<float>& values);
};

} // namespace fsllm
