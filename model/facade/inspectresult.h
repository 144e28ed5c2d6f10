// The result of inspecting one sentence (the `fsllm inspect --json` contract, also used by the
// GUI): ids, pieces, the mask, per-layer attention probabilities, final hidden states, LM logits,
// and the classifier's prediction when an adapter with a head is loaded. Plain value type.
#pragma once

#include "classifierspec.h"
#include "maskspec.h"

#include <string>
#include <vector>

namespace fsllm {

struct InspectResult {
    std::vector<int> ids;            // [T], BOS first
    std::vector<std::string> tokens; // [T] sentencepiece pieces
    MaskSpec mask;
    int layers = 0, heads = 0, tokenCount = 0, hiddenSize = 0, vocabSize = 0;
    std::vector<float> attention; // [layers][heads][T][T] row-major; empty when not asked for
    std::vector<float> hidden;    // [T][D] after the final norm; empty when not asked for
    std::vector<float> logits;    // [T][V]; empty when not asked for or no LM head

    bool hasPrediction = false;
    TaskKind task = TaskKind::Sequence;
    std::vector<std::string> labels;
    std::vector<float> probabilities; // seq: [C]; token: [T][C]

    // Probability row i of head h in layer l (T floats).
    const float* attentionRow(int layer, int head, int row) const;

    // {"ids", "tokens", "mask", "lambda", "attention" [L][H][T][T], "hidden" [T][D],
    //  "logits" [T][V] (when present), "prediction" (when present)}.
    std::string toJsonText() const;
};

} // namespace fsllm
