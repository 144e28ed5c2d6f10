// The per-class scores and confusion matrix of a run's predictions, computed exactly from the
// predictions files a run folder keeps (Metrics does the counting):
//   dev_predictions.tsv / .conll            the best checkpoint on the dev file (training)
//   evaluations/<data file>.predictions.*   each file `fsllm eval` scored with the run, beside
//   evaluations/<data file>.json            its scores and the data file's path
// Sequence tasks (TSV: line, gold, predicted, p_<label>...): per-class P/R/F1/support and the
// [gold][predicted] confusion over the run's labels. Token tasks (CoNLL: word gold predicted):
// the per-tag confusion over words, and for chunk tags per-entity-type P/R/F1/support counted as
// conlleval does; a word predicted Metrics::kCutTag (cut by --max-length) is a miss of its gold
// tag and has no confusion cell. Thread-safety: value type; read() and sources() read files only.
#pragma once

#include "classifierspec.h"
#include "metrics.h"

#include <string>
#include <vector>

namespace fsllm {

// One predictions file of a run.
struct PredictionSource {
    std::string name;     // "dev" or the evaluated data file's name
    std::string path;     // the predictions file
    std::string dataFile; // the data file it predicts, when known
};

class PredictionReport {
public:
    static constexpr const char* kEvaluationsFolder = "evaluations";

    std::string path;
    TaskKind task = TaskKind::Sequence;
    std::vector<std::string> labels;      // rows and columns of the confusion matrix
    ClassificationMetrics classification; // per class (sequence) or per tag over words (token)
    bool entityLevel = false;             // token task with chunk tags: `entities` holds scores
    EntityMetrics entities;
    int examples = 0; // sentences or examples

    // The scores shown per row: per entity type when entityLevel, else per class/tag.
    const std::vector<ClassScores>& rows() const {
        return entityLevel ? entities.perType : classification.perClass;
    }

    // Reads a predictions file (".tsv": sequence, ".conll": token). `labels`: the run's label
    // order (classifier.json), used for token tasks and checked against a TSV's p_ columns;
    // empty: the TSV's columns or the tags found, sorted. Throws FsllmError "<path>:<line>: ..."
    // for a malformed row or a label outside the run's labels.
    static PredictionReport read(const std::string& path,
                                 const std::vector<std::string>& labels = {});
    // The sentences of a token predictions file ("word gold predicted" per line, a blank line
    // after each sentence; the word may hold spaces, the tags are the last two fields): per
    // sentence the gold and predicted tags and each word's line number (for messages). Throws
    // FsllmError("<path>:<line>: expected 'word gold predicted' ...") for a malformed line.
    struct TokenSentences {
        std::vector<std::vector<std::string>> gold, predicted;
        std::vector<std::vector<int>> lines;
    };
    static TokenSentences readTokenSentences(const std::string& text, const std::string& path);
    // The predictions files of `runDir`: dev first (the run folder's copy, else best/'s), then
    // every evaluated file by name. `devFile`: run.json's dev file, shown as dev's data file.
    static std::vector<PredictionSource> sources(const std::string& runDir,
                                                 const std::string& devFile = "");
    // The run's labels from best/classifier.json; empty when it has none or cannot be read.
    static std::vector<std::string> runLabels(const std::string& runDir);
    // Where `fsllm eval` keeps the predictions of `dataFile` in `runDir`, and its scores
    // ("<runDir>/evaluations/<file name>.predictions.tsv|.conll" and ".json").
    static std::string evaluationPredictionsPath(const std::string& runDir,
                                                 const std::string& dataFile, TaskKind task);
    static std::string evaluationScoresPath(const std::string& runDir, const std::string& dataFile);
};

} // namespace fsllm
