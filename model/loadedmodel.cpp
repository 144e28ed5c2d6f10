#include "loadedmodel.h"

#include "checkpointindex.h"
#include "checkpointshapes.h"
#include "fsllmerror.h"
#include "tensorutil.h"
#include "weightloader.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace fsllm {

namespace {

torch::ScalarType computeDtype(const std::string& name, DType stored, const torch::Device& device) {
    if (name != "auto") {
        const auto type = withErrorContext("--dtype", [&] { return scalarTypeFromName(name); });
        if (type == torch::kFloat16 && device.is_cpu())
            throw FsllmError("--dtype " + name +
                             ": half precision does not run on the CPU (this "
                             "LibTorch has no CPU kernels for it); use --dtype float32 or "
                             "bfloat16 on the CPU, or float16 with --device cuda");
        return type;
    }
    if (stored == DType::F16 && device.is_cpu())
        return torch::kFloat32; // half matmuls are slow or missing on CPU
    return scalarTypeOf(stored);
}

} // namespace

torch::Device deviceFromName(const std::string& name) {
    if (name == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
    if (name == "cpu")
        return torch::kCPU;
    if (name.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw FsllmError("device '" + name +
                             "' asked for, but this LibTorch build has no CUDA "
                             "or no GPU is visible; use --device cpu");
        return torch::Device(name);
    }
    throw FsllmError("--device: unknown device '" + name + "'; choose auto, cpu, cuda or cuda:N");
}

LoadedModel LoadedModel::open(const std::string& directory, const std::string& device,
                              const std::string& dtype, bool requireTokenizer) {
    LoadedModel model;
    model.directory = directory;
    if (!std::filesystem::is_directory(directory))
        throw FsllmError(directory + ": not a folder; give a Hugging Face checkpoint folder "
                                     "(config.json, model.safetensors, tokenizer.model)");
    model.config = ModelConfig::fromFile(directory + "/config.json");
    model.device = deviceFromName(device);
    try {
        CheckpointIndex checkpoint(directory);
        const std::string embedName = "model.embed_tokens.weight";
        if (!checkpoint.contains(embedName))
            throw FsllmError(directory + ": tensor '" + embedName +
                             "' is missing; is this a "
                             "LLaMA-family checkpoint?");
        // Before any module exists: config.json's sizes must be the weights' sizes.
        CheckpointShapes::check(model.config, checkpoint, directory + "/config.json");
        model.storedDtype = checkpoint.tensor(embedName).dtype;
        const auto type = computeDtype(dtype, model.storedDtype, model.device);
        model.decoder =
            Decoder(model.config, torch::TensorOptions().dtype(type).device(model.device));
        const auto unused = WeightLoader::load(*model.decoder, checkpoint);
        if (!unused.empty())
            spdlog::warn("{}: {} checkpoint tensor(s) not used by the decoder (first: {})",
                         directory, unused.size(), unused.front());
    } catch (const c10::Error& e) {
        throw FsllmError(directory + ": " + e.what_without_backtrace());
    }
    model.decoder->eval();

    const std::string tokenizerPath = directory + "/tokenizer.model";
    if (std::filesystem::exists(tokenizerPath)) {
        model.tokenizer = std::make_unique<Tokenizer>(tokenizerPath);
        if (model.tokenizer->vocabSize() > model.config.vocabSize)
            throw FsllmError(tokenizerPath + ": the tokenizer has " +
                             std::to_string(model.tokenizer->vocabSize()) +
                             " pieces but "
                             "config.json's vocab_size is " +
                             std::to_string(model.config.vocabSize) +
                             "; they must come from the same model");
    } else if (requireTokenizer) {
        model.requireTokenizer();
    }
    return model;
}

const Tokenizer& LoadedModel::requireTokenizer() const {
    if (!tokenizer)
        throw FsllmError(directory + "/tokenizer.model: missing; working with text needs the "
                                     "checkpoint's sentencepiece tokenizer");
    return *tokenizer;
}

} // namespace fsllm
