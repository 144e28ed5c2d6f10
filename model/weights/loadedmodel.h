// Opens a Hugging Face checkpoint folder for the engine: config.json, the weights into a frozen
// Decoder on the chosen device and dtype, and the tokenizer when present. Shared by the
// inspection Engine, training, evaluation and the zero-shot baseline. ModelHeaders is the first,
// header-only half of that (what `fsllm info` needs): no module is built, no tensor data is read.
// Thread-safety: open()/read() from one thread; the result belongs to its caller.
#pragma once

#include "checkpointindex.h"
#include "decoder.h"
#include "loadprogress.h"
#include "modelconfig.h"
#include "safetensorsfile.h"
#include "tokenizer.h"
#include "weightloader.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace fsllm {

// config.json, the safetensors headers (or the pytorch_model.bin pickles) checked against it
// (CheckpointShapes), the device, the compute dtype and the tokenizer (tokenizer.model, else
// tokenizer.json) when present. The weights stay memory-mapped, unread.
struct ModelHeaders {
    std::string directory;
    ModelConfig config;
    std::unique_ptr<CheckpointIndex> checkpoint;
    DType storedDtype = DType::F32; // of model.embed_tokens.weight
    torch::Device device = torch::kCPU;
    torch::ScalarType computeType = torch::kFloat32;
    // null when the folder has neither tokenizer.model nor tokenizer.json
    std::unique_ptr<Tokenizer> tokenizer;

    // Arguments as LoadedModel::open's. Throws FsllmError naming the file and what to fix.
    static ModelHeaders read(const std::string& directory, const std::string& device,
                             const std::string& dtype, bool requireTokenizer);
    // read() without the tokenizer (`tokenizer` stays null): config.json and the checked
    // safetensors headers only, for callers that need sizes and dtypes.
    static ModelHeaders readWeights(const std::string& directory, const std::string& device,
                                    const std::string& dtype);
    // Elements of the decoder's base parameters, from the header shapes (tied LM head once).
    std::int64_t parameterCount() const;
};

struct LoadedModel {
    std::string directory;
    ModelConfig config;
    Decoder decoder{nullptr};
    // null when the folder has neither tokenizer.model nor tokenizer.json
    std::unique_ptr<Tokenizer> tokenizer;
    DType storedDtype = DType::F32;
    torch::Device device = torch::kCPU;
    WeightLoadStats weightStats; // bytes used in place from the file vs converted

    // device: "auto" | "cpu" | "cuda" | "cuda:N"; dtype: "auto" (stored; on a CPU F16, and BF16
    // where ComputeDtypeChoice says so, compute in float32) |
    // "float32" | "bfloat16" | "float16". Throws FsllmError naming the file and what to fix, or
    // LoadCancelled when `progress` (see loadprogress.h; may be empty) returns false.
    static LoadedModel open(const std::string& directory, const std::string& device,
                            const std::string& dtype, bool requireTokenizer,
                            const LoadProgress& progress = {});

    // Throws FsllmError naming tokenizer.model and tokenizer.json when there is neither.
    const Tokenizer& requireTokenizer() const;
};

torch::Device deviceFromName(const std::string& name);

} // namespace fsllm
