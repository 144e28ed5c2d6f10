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

    // Throws FsllmError for NaN or negative lambda. lambda = +inf in Decay means causal.
    void validate() const;
    // Value added to the score of query i for key j > i (future key, distance d = j - i >= 1):
    // -inf for causal, 0 for bidirectional, -lambda*d for decay.
    double futureBias(int distance) const;
    std::string describe() const; // "causal", "bidirectional", "decay(lambda=0.5)"
};

// "causal" | "bidirectional" | "decay" (case-sensitive); throws FsllmError listing the choices.
MaskMode maskModeFromName(const std::string& name);
const char* maskModeName(MaskMode mode);

// The additive mask M for a T-token sentence without padding, row-major [T][T]: 0 on and below
// the diagonal, futureBias(j - i) above it (-inf entries for causal).
std::vector<float> maskMatrix(int tokenCount, const MaskSpec& spec);

} // namespace fsllm
