// The paper's "w/o LS" baseline: no label supervision. Each label gets a verbalizer word, and an
// example is classified by the label whose word the causal LM finds most likely after a prompt:
// score(label) = sum of log p(word pieces | BOS, prompt(text)). Writes a run folder in the same
// format as fine-tuning (run.json with method "zeroshot", metrics.jsonl with one evaluation,
// zeroshot.json) with the predictions and scores named after the data file as `fsllm eval`
// names them (evaluations/<file name>.predictions.tsv and .json), so reports compare it side by
// side.
// No torch in this header. Thread-safety: one at a time.
#pragma once

#include "trainingconfig.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace fsllm {

struct ZeroShotOptions {
    std::string modelDir;
    std::string dataFile; // labelled evaluation data (dev or test)
    DataReadOptions data; // task must be seq
    std::string outDir;
    // "{text}" is replaced by the example's text.
    std::string promptTemplate = "Review: {text}\nSentiment:";
    // label -> verbalizer word; empty -> defaults: two labels "0","1" -> negative, positive;
    // five labels "0".."4" -> terrible, bad, okay, good, great; otherwise the label itself.
    std::vector<std::pair<std::string, std::string>> verbalizers;
    int batchSize = 16;
    int maxLength = 256;
    std::string device = "auto", dtype = "auto";
    int threads = 0;

    // Parses "0=negative,1=positive"; throws FsllmError naming a malformed entry.
    static std::vector<std::pair<std::string, std::string>> parseVerbalizers(const std::string&);
};

struct ZeroShotReport {
    double accuracy = 0.0, precision = 0.0, recall = 0.0, f1 = 0.0;
    int examples = 0;
    std::vector<std::pair<std::string, std::string>> verbalizers; // as used
    double wallSeconds = 0.0;
    // Where the predictions and scores were written, named after the data file as `fsllm eval`
    // names them: OUT/evaluations/<file name>.predictions.tsv and <file name>.json.
    std::string predictionsPath, scoresPath;
};

class ZeroShotBaseline {
public:
    static ZeroShotReport run(const ZeroShotOptions& options,
                              const std::function<void(const std::string&)>& progress = {});
};

} // namespace fsllm
