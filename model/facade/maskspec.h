// The paper's attention mask modes (docs/design.md §2), as plain values with no torch dependency,
// so the GUI can show the mask matrix M itself. Thread-safe: pure functions and value types.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

enum class MaskMode { Causal, Bidirectional, Decay };

struct MaskSpec {
    MaskMode mode = MaskMode::Causal;
    double lambda = 0.0; // used by Decay only: M[i][j] = -lambda * (j - i) for j > i
    // Where the mask starts (as BiLLM does): decoder layers 0..fromLayer-1 stay causal, layers
    // fromLayer.. use `mode`. 0: every layer. Meaningless (kept 0) for Causal.
    int fromLayer = 0;

    // Throws FsllmError for NaN or negative lambda, or a negative fromLayer. lambda = +inf in
    // Decay means causal.
    void validate() const;
    // validate(), and a fromLayer inside a model of `layerCount` decoder layers (a mask that would
    // start past the last layer is refused, not silently causal).
    void validateFor(int layerCount) const;
    // The mask decoder layer `layer` (0-based) uses: causal below fromLayer, this mode from it.
    MaskSpec atLayer(int layer) const;
    // Value added to the score of query i for key j > i (future key, distance d = j - i >= 1):
    // -inf for causal, 0 for bidirectional, -lambda*d for decay.
    double futureBias(int distance) const;
    // "causal", "bidirectional", "decay(lambda=0.5)"; " from layer 2" appended when fromLayer > 0.
    std::string describe() const;
};

// "causal" | "bidirectional" | "decay" (case-sensitive); throws FsllmError listing the choices.
MaskMode maskModeFromName(const std::string& name);
const char* maskModeName(MaskMode mode);

// The additive mask M for a T-token sentence without padding, row-major [T][T]: 0 on and below
// the diagonal, futureBias(j - i) above it (-inf entries for causal).
std::vector<float> maskMatrix(int tokenCount, const MaskSpec& spec);

} // namespace fsllm
