// Evaluation metrics the field reports: accuracy; per-class, macro and micro precision, recall
// and F1; the confusion matrix; and entity-level micro P/R/F1 that counts chunks exactly as
// conlleval does (IOB1, IOB2 and IOBES input). Thread-safety: pure functions, value types.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

struct ClassScores {
    std::string label;
    double precision = 0.0, recall = 0.0, f1 = 0.0;
    int support = 0; // gold count (examples for sequence tasks, chunks for entities)
    int predicted = 0;
    int correct = 0;
};

struct ClassificationMetrics {
    double accuracy = 0.0;
    double macroPrecision = 0.0, macroRecall = 0.0, macroF1 = 0.0;
    double microPrecision = 0.0, microRecall = 0.0, microF1 = 0.0;
    std::vector<ClassScores> perClass;
    std::vector<std::vector<int>> confusion; // [gold][predicted]; not-predicted items have no cell
    int total = 0;
    int notPredicted = 0; // items predicted as kNotPredicted: misses of their gold class
};

struct EntityMetrics {
    double precision = 0.0, recall = 0.0, f1 = 0.0; // micro over chunks, in [0, 1]
    double tokenAccuracy = 0.0;                     // conlleval's "accuracy" over tokens
    int goldChunks = 0, predictedChunks = 0, correctChunks = 0;
    std::vector<ClassScores> perType; // by entity type ("PER", "LOC", ...), sorted by name
};

class Metrics {
public:
    // The class id of an item that was not predicted (a word cut by --max-length).
    static constexpr int kNotPredicted = -1;
    // The tag of a word that was not predicted: a token it would need was cut by --max-length.
    // Entity scoring reads it as outside any chunk (a gold entity there is missed, none is
    // predicted) and as a wrong tag for the token accuracy.
    static constexpr const char* kCutTag = "<cut>";

    // gold/predicted: class ids in [0, labels.size()); a predicted kNotPredicted counts as a miss
    // of the gold class (support and accuracy) and as no prediction of any class. Precision of a class never predicted is 0
    // (as scikit-learn with zero_division=0). Macro scores average the classes that occur in gold
    // or predictions (scikit-learn's default); perClass still lists every label. Micro P = R =
    // F1 = accuracy (single-label). Throws FsllmError on size mismatch or an id out of range.
    static ClassificationMetrics classification(const std::vector<int>& gold,
                                                const std::vector<int>& predicted,
                                                const std::vector<std::string>& labels);

    // Sentences of tag strings ("B-PER", "I-LOC", "O", "E-ORG", "S-MISC"); chunk boundaries as
    // conlleval's startOfChunk/endOfChunk (a chunk starts at I-X after O or after another type,
    // so IOB1 works; a sentence end ends every chunk). The Perl script has no S- rules; E-/S- are
    // handled as its Python port (conlleval.py, as in seqeval) does, which agrees with the Perl
    // rules on B-/I-/O. Throws FsllmError on sentence/tag count mismatch.
    // True when some label is a chunk tag (B-/I-/E-/S- prefix): entity-level scoring applies.
    // Plain tag sets (part-of-speech tags) are scored per word with classification() instead.
    static bool hasChunkTags(const std::vector<std::string>& labels);

    static EntityMetrics entities(const std::vector<std::vector<std::string>>& gold,
                                  const std::vector<std::vector<std::string>>& predicted);
};

} // namespace fsllm
