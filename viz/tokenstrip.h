// A signed colour strip over a sentence's tokens (token attribution): each token on a background
// from AttentionHeatmap::divergingGradient() - blue negative, white 0, red positive - scaled so
// |value| = maxAbs is the strongest colour. Rendered as rich text for a word-wrapping QLabel.
// Thread-safety: pure functions.
#pragma once

#include <QColor>
#include <QStringList>

#include <vector>

namespace fsllm {

class TokenStrip {
public:
    // The background for `value` on the scale [-maxAbs, maxAbs] (maxAbs <= 0: white).
    static QColor colorFor(double value, double maxAbs);
    // HTML: one span per token (escaped, "▁" shown as a space mark), its value in the title.
    // tokens.size() must equal values.size(); otherwise an empty string.
    static QString html(const QStringList& tokens, const std::vector<float>& values, double maxAbs);
    static double maxAbs(const std::vector<float>& values); // 0 for none
};

} // namespace fsllm
