#include "metrics.h"

#include "fsllmerror.h"

#include <map>
#include <string_view>

namespace fsllm {

namespace {

double ratio(int numerator, int denominator) {
    return denominator == 0 ? 0.0 : static_cast<double>(numerator) / denominator;
}

double harmonicMean(double precision, double recall) {
    return precision + recall == 0.0 ? 0.0 : 2.0 * precision * recall / (precision + recall);
}

void finishScores(ClassScores& scores) {
    scores.precision = ratio(scores.correct, scores.predicted);
    scores.recall = ratio(scores.correct, scores.support);
    scores.f1 = harmonicMean(scores.precision, scores.recall);
}

// ---- conlleval's chunk rules ---------------------------------------------------------------

// A tag split as conlleval does: "B-PER" -> {"B", "PER"}, "O" -> {"O", ""}; the type may itself
// contain '-' (everything after the first one).
struct ChunkTag {
    std::string_view prefix;
    std::string_view type;
};

ChunkTag splitTag(std::string_view tag) {
    const std::size_t dash = tag.find('-');
    if (dash == std::string_view::npos)
        return {tag, {}};
    return {tag.substr(0, dash), tag.substr(dash + 1)};
}

// conlleval's endOfChunk: did a chunk end between the previous tag and this one? The E-/S-
// rules are those of the Python port (conlleval.py, seqeval), which add IOBES to the Perl rules;
// for B-/I-/O tags both agree exactly.
bool endOfChunk(const ChunkTag& previous, const ChunkTag& tag) {
    const std::string_view p = previous.prefix, t = tag.prefix;
    if (p == "E" || p == "S")
        return true;
    if ((p == "B" || p == "I") && (t == "B" || t == "S" || t == "O"))
        return true;
    return p != "O" && p != "." && previous.type != tag.type;
}

// conlleval's startOfChunk: did a chunk start at this tag? I-X after O or after another type
// starts one, which is what makes IOB1 work.
bool startOfChunk(const ChunkTag& previous, const ChunkTag& tag) {
    const std::string_view p = previous.prefix, t = tag.prefix;
    if (t == "B" || t == "S")
        return true;
    if ((p == "E" || p == "S" || p == "O") && (t == "E" || t == "I"))
        return true;
    return t != "O" && t != "." && previous.type != tag.type;
}

// The running state of conlleval's main loop over (gold, guessed) tag pairs.
class ChunkCounter {
public:
    void step(std::string_view goldTag, std::string_view guessedTag, bool boundary) {
        const ChunkTag gold = splitTag(goldTag);
        const ChunkTag guessed = splitTag(guessedTag == Metrics::kCutTag ? "O" : guessedTag);
        const bool endGold = endOfChunk(m_lastGold, gold);
        const bool endGuessed = endOfChunk(m_lastGuessed, guessed);
        const bool startGold = startOfChunk(m_lastGold, gold);
        const bool startGuessed = startOfChunk(m_lastGuessed, guessed);
        if (m_inCorrect) {
            if (endGold && endGuessed && m_lastGuessed.type == m_lastGold.type) {
                m_inCorrect = false;
                ++m_types[std::string(m_lastGold.type)].correct;
            } else if (endGold != endGuessed || guessed.type != gold.type) {
                m_inCorrect = false;
            }
        }
        if (startGold && startGuessed && guessed.type == gold.type)
            m_inCorrect = true;
        if (startGold)
            ++m_types[std::string(gold.type)].support;
        if (startGuessed)
            ++m_types[std::string(guessed.type)].predicted;
        if (!boundary) {
            m_correctTags += goldTag == guessedTag ? 1 : 0;
            ++m_tokens;
        }
        m_lastGold = gold;
        m_lastGuessed = guessed;
    }

    // A sentence boundary: conlleval reads it as an "O O" line that is not a token.
    void boundary() { step("O", "O", true); }

    EntityMetrics result() {
        if (m_inCorrect) // conlleval's check after the last line
            ++m_types[std::string(m_lastGold.type)].correct;
        m_inCorrect = false;
        EntityMetrics metrics;
        for (auto& [type, scores] : m_types) { // std::map: sorted by type name
            scores.label = type;
            finishScores(scores);
            metrics.goldChunks += scores.support;
            metrics.predictedChunks += scores.predicted;
            metrics.correctChunks += scores.correct;
            metrics.perType.push_back(scores);
        }
        metrics.precision = ratio(metrics.correctChunks, metrics.predictedChunks);
        metrics.recall = ratio(metrics.correctChunks, metrics.goldChunks);
        metrics.f1 = harmonicMean(metrics.precision, metrics.recall);
        metrics.tokenAccuracy = ratio(m_correctTags, m_tokens);
        return metrics;
    }

private:
    ChunkTag m_lastGold{"O", {}}, m_lastGuessed{"O", {}};
    bool m_inCorrect = false;
    std::map<std::string, ClassScores> m_types;
    int m_correctTags = 0, m_tokens = 0;
};

} // namespace

ClassificationMetrics Metrics::classification(const std::vector<int>& gold,
                                              const std::vector<int>& predicted,
                                              const std::vector<std::string>& labels) {
    if (gold.size() != predicted.size()) {
        throw FsllmError("metrics: " + std::to_string(gold.size()) + " gold labels but " +
                         std::to_string(predicted.size()) +
                         " predictions; give one prediction "
                         "per example");
    }
    const int classes = static_cast<int>(labels.size());
    ClassificationMetrics metrics;
    metrics.total = static_cast<int>(gold.size());
    metrics.confusion.assign(labels.size(), std::vector<int>(labels.size(), 0));
    metrics.perClass.resize(labels.size());
    int correct = 0;
    for (std::size_t i = 0; i < gold.size(); ++i) {
        const int g = gold[i], p = predicted[i];
        if (p == kNotPredicted && g >= 0 && g < classes) {
            ++metrics.perClass[g].support;
            ++metrics.notPredicted;
            continue;
        }
        if (g < 0 || g >= classes || p < 0 || p >= classes) {
            throw FsllmError("metrics: example " + std::to_string(i) + " has class id " +
                             std::to_string(g < 0 || g >= classes ? g : p) + " outside [0, " +
                             std::to_string(classes) + "); pass ids of the label list");
        }
        ++metrics.confusion[g][p];
        ++metrics.perClass[g].support;
        ++metrics.perClass[p].predicted;
        if (g == p) {
            ++metrics.perClass[g].correct;
            ++correct;
        }
    }
    int present = 0; // classes that occur in gold or predictions, as scikit-learn averages
    for (int c = 0; c < classes; ++c) {
        ClassScores& scores = metrics.perClass[c];
        scores.label = labels[c];
        finishScores(scores);
        if (scores.support == 0 && scores.predicted == 0)
            continue;
        ++present;
        metrics.macroPrecision += scores.precision;
        metrics.macroRecall += scores.recall;
        metrics.macroF1 += scores.f1;
    }
    if (present > 0) {
        metrics.macroPrecision /= present;
        metrics.macroRecall /= present;
        metrics.macroF1 /= present;
    }
    metrics.accuracy = ratio(correct, metrics.total);
    // Single-label: every example is one prediction and one gold label, so micro P = R = F1.
    metrics.microPrecision = metrics.microRecall = metrics.microF1 = metrics.accuracy;
    return metrics;
}

EntityMetrics Metrics::entities(const std::vector<std::vector<std::string>>& gold,
                                const std::vector<std::vector<std::string>>& predicted) {
    if (gold.size() != predicted.size()) {
        throw FsllmError("entity metrics: " + std::to_string(gold.size()) + " gold sentences but " +
                         std::to_string(predicted.size()) +
                         " predicted; give one tag sequence per sentence");
    }
    ChunkCounter counter;
    for (std::size_t s = 0; s < gold.size(); ++s) {
        if (gold[s].size() != predicted[s].size()) {
            throw FsllmError("entity metrics: sentence " + std::to_string(s) + " has " +
                             std::to_string(gold[s].size()) + " gold tags but " +
                             std::to_string(predicted[s].size()) +
                             " predicted; give one tag per word");
        }
        for (std::size_t t = 0; t < gold[s].size(); ++t)
            counter.step(gold[s][t], predicted[s][t], false);
        counter.boundary();
    }
    return counter.result();
}

bool Metrics::hasChunkTags(const std::vector<std::string>& labels) {
    for (const auto& label : labels)
        if (label.size() > 2 && label[1] == '-' &&
            (label[0] == 'B' || label[0] == 'I' || label[0] == 'E' || label[0] == 'S'))
            return true;
    return false;
}

} // namespace fsllm
