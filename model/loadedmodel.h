// Opens a Hugging Face checkpoint folder for the engine: config.json, the weights into a frozen
// Decoder on the chosen device and dtype, and tokenizer.model when present. Shared by the
// inspection Engine, training, evaluation and the zero-shot baseline.
// Thread-safety: open() from one thread; the result belongs to its caller.
#pragma once

#include "decoder.h"
#include "modelconfig.h"
#include "safetensorsfile.h"
#include "tokenizer.h"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace fsllm {

struct LoadedModel {
    std::string directory;
    ModelConfig config;
    Decoder decoder{nullptr};
    std::unique_ptr<Tokenizer> tokenizer; // null when the folder has no tokenizer.model
    DType storedDtype = DType::F32;
    torch::Device device = torch::kCPU;

    // device: "auto" | "cpu" | "cuda" | "cuda:N"; dtype: "auto" (stored; F16 -> f32 on CPU) |
    // "float32" | "bfloat16" | "float16". Throws FsllmError naming the file and what to fix.
    static LoadedModel open(const std::string& directory, const std::string& device,
                            const std::string& dtype, bool requireTokenizer);

    // Throws FsllmError naming tokenizer.model when there is none.
    const Tokenizer& requireTokenizer() const;
};

torch::Device deviceFromName(const std::string& name);

} // namespace fsllm
