// Pre-trains a small LLaMA-shaped model from scratch as a causal language model (all parameters
// train), for the bundled default model (`fsllm pretrain`): sentencepiece tokenizer on the
// training text, AdamW with warm-up and cosine decay, held-out perplexity, a wall-clock budget,
// and the result saved in Hugging Face layout (config.json, model.safetensors, tokenizer.model).
// Thread-safety: one at a time (global torch state); the progress callback runs on its thread.
#pragma once

#include <functional>
#include <string>

namespace fsllm {

struct PretrainOptions {
    std::string trainText;    // one document or sentence per line
    std::string heldoutText;
    std::string tokenizer;    // existing tokenizer.model; empty -> train one on trainText
    std::string outDir;
    int vocab = 8000;
    int layers = 4;
    int hidden = 256;
    int heads = 8;
    int kvHeads = 4;
    int intermediate = 0;     // 0 -> 8/3 * hidden rounded up to 16
    int seqLen = 128;
    int batch = 32;
    double learningRate = 3e-3;
    double minLearningRateRatio = 0.1;
    int warmupSteps = 100;    // linear warm-up, then cosine decay over the budget
    double weightDecay = 0.1;
    double minutes = 120.0;   // wall-clock budget for the optimisation steps
    int maxSteps = 0;         // 0 = as many as the budget allows
    int evalEvery = 200;      // steps between held-out evaluations
    int evalChunks = 64;      // held-out chunks of seqLen tokens per evaluation
    int seed = 0;
    int threads = 0;
    std::string saveDtype = "bfloat16";
};

struct PretrainReport {
    int steps = 0;
    long long tokensSeen = 0;
    long long trainTokens = 0, heldoutTokens = 0;
    long long parameters = 0;
    double finalTrainLoss = 0.0;
    double heldoutLoss = 0.0, heldoutPerplexity = 0.0;
    double wallSeconds = 0.0;
};

class Pretrainer {
public:
    // Writes outDir/{config.json, model.safetensors, tokenizer.model, pretrain_log.jsonl}.
    static PretrainReport run(const PretrainOptions& options,
                              const std::function<void(const std::string&)>& progress);
};

} // namespace fsllm
