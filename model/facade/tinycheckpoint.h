// Writes a small random checkpoint in Hugging Face layout (config.json, model.safetensors,
// tokenizer.model trained on text the project ships) of the LLaMA family or another supported
// one, for tests and demos (`fsllm init-tiny`).
// Thread-safety: uses the global torch RNG (seeded) and sentencepiece training; one at a time.
#pragma once

#include <string>

namespace fsllm {

struct TinyCheckpointOptions {
    int layers = 2;
    int hidden = 64;
    int heads = 4;
    int kvHeads = 2;
    int intermediate = 0;   // 0 -> 8/3 * hidden rounded up to a multiple of 16
    int vocab = 512;        // sentencepiece pieces (and config vocab_size)
    int maxPositions = 512;
    int seed = 0;
    double initStd = 0.02;  // normal std of every weight matrix
    double qkStd = 0.02;    // std of q_proj and k_proj (larger -> sharper initial attention)
    bool tied = false;      // tie_word_embeddings
    // model_type, with the family's distinctive options on: llama (none), mistral (sliding_window
    // 16), qwen2 (q/k/v biases), qwen3 (per-head q/k RMSNorm).
    std::string family = "llama";
    std::string dtype = "float32"; // "float32" | "bfloat16" | "float16" for model.safetensors
    std::string corpusPath; // text for the tokenizer; empty -> defaultCorpusPath()
};

class TinyCheckpoint {
public:
    // Creates `directory` and writes the three files (each atomically). Throws FsllmError.
    static void write(const std::string& directory, const TinyCheckpointOptions& options);
    // resources/corpus/tiny_corpus.txt from $FSLLM_RESOURCES, the install prefix, or the source tree.
    static std::string defaultCorpusPath();
};

} // namespace fsllm
