// A trained run opened for use (`fsllm eval`, `fsllm predict`, the GUI): the base model from
// run.json, the best adapter and head from best/, the run's label set and mask.
// No torch in this header. Thread-safety: one thread at a time.
#pragma once

#include "engine.h"
#include "evaluationcontrol.h"
#include "metrics.h"
#include "rawexample.h"
#include "trainingconfig.h"

#include <memory>
#include <string>
#include <vector>

namespace fsllm {

struct EvaluationReport {
    double accuracy = 0.0, precision = 0.0, recall = 0.0, f1 = 0.0, loss = 0.0;
    int examples = 0;
    // Examples longer than the run's maximum length (maxLength tokens), cut there; for token
    // tasks the words cut with them, which are scored as not predicted (Metrics::kCutTag).
    int truncatedExamples = 0;
    int wordsCut = 0;
    int maxLength = 0;
    bool cancelled = false; // EvaluationControl::cancel stopped it: no scores, nothing written
    std::string json; // {"accuracy", "precision", "recall", "f1", "loss", "per_class", ...}
};

struct Prediction {
    std::string label;                      // seq: the argmax label
    std::vector<float> probabilities;       // seq: [C] in labels() order
    std::vector<std::string> words, tags;   // token: one predicted tag per word
    bool truncated = false; // longer than the run's maximum length: its tokens past it were cut
    int wordsCut = 0;       // token: words cut with them, tagged Metrics::kCutTag
};

class ClassifierRun {
public:
    // modelOverride: use this checkpoint folder instead of run.json's "model" (moved runs).
    static std::unique_ptr<ClassifierRun> open(const std::string& runDir,
                                               const EngineOptions& options = {},
                                               const std::string& modelOverride = "");
    ~ClassifierRun();

    const TrainingConfig& config() const;
    const std::vector<std::string>& labels() const;

    // Reads `dataFile` (labels must be in the run's label set) and scores the run on it. For
    // token tasks P/R/F1 are entity-level (conlleval). Writes predictions when
    // predictionsPath is not empty (and the evaluation was not cancelled). `control` follows
    // the scoring batch by batch and may stop it (reading and encoding the file are not
    // interrupted).
    EvaluationReport evaluate(const std::string& dataFile, const DataReadOptions& options,
                              const std::string& predictionsPath = "",
                              const EvaluationControl& control = {});
    // Labels unused; for token tasks `words` must be set, else `text`.
    std::vector<Prediction> predict(const std::vector<RawExample>& examples);

private:
    ClassifierRun();
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
