// Trains a sentencepiece model from text files (BPE or unigram, byte fallback), with LLaMA's
// special ids: <unk>=0, <s>=1, </s>=2. Used by `fsllm init-tiny` and the pre-training recipe.
// Thread-safety: sentencepiece training uses global state; call from one thread at a time.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

struct TokenizerTrainingOptions {
    int vocabSize = 512;
    std::string modelType = "bpe"; // "bpe" or "unigram"
    bool byteFallback = true;
    double characterCoverage = 1.0;
    int numThreads = 1;
    int seed = 0; // sentencepiece training is deterministic for fixed input; kept for the record
    int maxSentences = 0; // 0 = train on every line; else a random sample of this many lines
    // sentencepiece's normalization_rule_name: "identity" (LLaMA) or "nmt_nfkc", "nfkc", ...
    std::string normalization = "identity";
};

class TokenizerTrainer {
public:
    // Trains on the lines of `inputFiles` and writes the model to `outputModelPath` atomically.
    // Throws FsllmError naming the input file or the sentencepiece status on failure.
    static void train(const std::vector<std::string>& inputFiles,
                      const std::string& outputModelPath, const TokenizerTrainingOptions& options);
};

} // namespace fsllm
