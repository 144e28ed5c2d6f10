// The table of supported model families, one row per Hugging Face `model_type` (like
// llama.cpp's architecture table). ModelConfig, CheckpointShapes, WeightLoader, ModelHeaders and
// the Decoder all read a checkpoint through its row. Torch-free.
// Thread-safety: the table is built once (function-local static); safe from any thread.
#pragma once

#include "modelfamily.h"

#include <string>
#include <vector>

namespace fsllm {

class FamilyTable {
public:
    // Every row, in table order.
    static const std::vector<const ModelFamily*>& all();
    // The row for `modelType`, or nullptr.
    static const ModelFamily* find(const std::string& modelType);
    // The row for `modelType`; throws FsllmError("<who>: model type '<t>' is not supported;
    // supported model types: llama, mistral, ...") otherwise.
    static const ModelFamily& require(const std::string& modelType, const std::string& who);
    // "llama, mistral, qwen2, qwen3, chatglm"
    static std::string supportedNames();
};

} // namespace fsllm
