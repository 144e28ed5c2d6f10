// Runs a classifier over a labelled data set without gradients and scores it: loss, accuracy,
// macro P/R/F1 (sequence tasks) or entity-level micro P/R/F1 as conlleval counts (token tasks),
// plus the predictions for the run folder. Thread-safety: one thread at a time per model.
#pragma once

#include "classifiermodel.h"
#include "encodeddataset.h"
#include "evaluationcontrol.h"
#include "labelset.h"
#include "metrics.h"
#include "rawexample.h"

#include <functional>
#include <string>
#include <vector>

namespace fsllm {

struct EvaluationResult {
    // Token tasks with chunk tags (B-/I-/E-/S-) are scored per entity as conlleval does; plain
    // tag sets (e.g. part of speech) and sequence tasks per item with macro P/R/F1.
    bool entityLevel = false;
    bool cancelled = false; // control.cancel stopped it: nothing below is meaningful
    double loss = 0.0;
    double accuracy = 0.0, precision = 0.0, recall = 0.0, f1 = 0.0;
    ClassificationMetrics classification; // sequence tasks and plain tag sets (per word)
    EntityMetrics entities;               // chunk-tagged token tasks
    std::vector<int> predicted;                            // seq: class per example
    std::vector<std::vector<float>> probabilities;         // seq: [N][C]
    std::vector<std::vector<std::string>> predictedTags;   // token: per example, per word
    // Examples longer than the maximum length (their tokens past it are cut) and, for token
    // tasks, the words cut with them: those are not predicted (Metrics::kCutTag).
    int truncatedExamples = 0;
    int wordsCut = 0;

    // What selects the best checkpoint on dev: entity F1 when entity-level, else accuracy.
    double selectionScore() const { return entityLevel ? f1 : accuracy; }
    // {"accuracy", "precision", "recall", "f1", "loss", "per_class": {label: {p, r, f1, support}},
    //  "truncated": {"examples", "words"}, ...}
    std::string toJsonText() const;
};

// A data-parallel evaluation: rank r of worldSize scores batches r, r + worldSize, ... of the
// length-sorted batches (each batch exactly as one process forms it), then every rank receives
// every prediction through `sum` (an element-wise sum over the ranks, e.g. DataParallel::sum)
// and scores the whole set with the same code as one process: the metrics are computed from
// counts over all examples, never averaged over ranks.
struct EvaluationShards {
    int rank = 0;
    int worldSize = 1;
    std::function<std::vector<double>(const std::vector<double>&)> sum;
};

class Evaluator {
public:
    // `control` reports examples scored after each batch; its cancel is polled before each batch
    // and after the last one (not with `shards`: every rank must reach the collective).
    // `shards` (optional) splits the batches over data-parallel ranks; every rank returns the
    // same whole-set result.
    static EvaluationResult run(ClassifierModelImpl& model, const EncodedDataset& data,
                                const std::vector<RawExample>& raw, const LabelSet& labels,
                                int batchSize, const EvaluationControl& control = {},
                                const EvaluationShards* shards = nullptr);
    // Writes predictions: seq -> TSV (line, gold, predicted, one probability column per label);
    // token -> CoNLL columns (word gold predicted; Metrics::kCutTag for a word cut by the
    // maximum length). Atomic.
    static void writePredictions(const std::string& path, const EvaluationResult& result,
                                 const std::vector<RawExample>& raw, const LabelSet& labels,
                                 TaskKind task);
};

} // namespace fsllm
