#include "loadedmodel.h"

#include "checkpointindex.h"
#include "checkpointshapes.h"
#include "computedtypechoice.h"
#include "fsllmerror.h"
#include "modelfamily.h"
#include "tensorutil.h"
#include "torchbincheckpoint.h"
#include "weightloader.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>

namespace fsllm {

namespace {

// "auto" is the stored dtype, except on a CPU for half precision (ComputeDtypeChoice says when).
// With Debian's LibTorch 1.13 a bfloat16 matmul ran at 3.5 GFLOP/s against 59 in float32 on an
// AVX-512 machine (`fsllm bench --dtype bfloat16`, one thread), and at 0.86 against 43.8 on one
// without BF16 instructions, so the bundled default model trains about 13x faster in float32.
torch::ScalarType computeDtype(const std::string& name, DType stored, const torch::Device& device,
                               std::int64_t parameters) {
    if (name != "auto") {
        const auto type = withErrorContext("--dtype", [&] { return scalarTypeFromName(name); });
        if (type == torch::kFloat16 && device.is_cpu())
            throw FsllmError("--dtype " + name +
                             ": half precision does not run on the CPU (this "
                             "LibTorch has no CPU kernels for it); use --dtype float32 or "
                             "bfloat16 on the CPU, or float16 with --device cuda");
        return type;
    }
    if (stored != DType::F16 && stored != DType::BF16)
        return scalarTypeOf(stored);
    const std::string half = stored == DType::F16 ? "float16" : "bfloat16";
    return ComputeDtypeChoice::forAutoHere(half, device.is_cpu(), parameters) == "float32"
               ? torch::kFloat32
               : scalarTypeOf(stored);
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

ModelHeaders ModelHeaders::readWeights(const std::string& directory, const std::string& device,
                                       const std::string& dtype) {
    ModelHeaders headers;
    headers.directory = directory;
    if (!std::filesystem::is_directory(directory))
        throw FsllmError(directory + ": not a folder; give a Hugging Face checkpoint folder "
                                     "(config.json, model.safetensors, tokenizer.model or tokenizer.json)");
    headers.config = ModelConfig::fromFile(directory + "/config.json");
    headers.device = deviceFromName(device);
    try {
        // safetensors first (as transformers does), else pytorch_model.bin (torch.save zips).
        headers.checkpoint = !CheckpointIndex::holdsSafetensors(directory) &&
                                     TorchBinCheckpoint::holdsBinWeights(directory)
                                 ? TorchBinCheckpoint::open(directory)
                                 : std::make_unique<CheckpointIndex>(directory);
        const CheckpointIndex& checkpoint = *headers.checkpoint;
        const std::string embedName = headers.config.family().names.embedding;
        if (!checkpoint.contains(embedName))
            throw FsllmError(directory + ": tensor '" + embedName +
                             "' is missing; is this a " + headers.config.modelType +
                             " checkpoint?");
        // Before any module exists: config.json's sizes must be the weights' sizes, and the
        // weights must hold nothing the family does not use.
        CheckpointShapes::check(headers.config, checkpoint, directory + "/config.json");
        headers.storedDtype = checkpoint.tensor(embedName).dtype;
        headers.computeType =
            computeDtype(dtype, headers.storedDtype, headers.device, headers.parameterCount());
    } catch (const c10::Error& e) {
        throw FsllmError(directory + ": " + e.what_without_backtrace());
    }
    return headers;
}

ModelHeaders ModelHeaders::read(const std::string& directory, const std::string& device,
                                const std::string& dtype, bool requireTokenizer) {
    ModelHeaders headers = readWeights(directory, device, dtype);
    // tokenizer.model (sentencepiece) when present, else tokenizer.json (Hugging Face).
    const std::string tokenizerPath = Tokenizer::fileInFolder(directory);
    if (!tokenizerPath.empty()) {
        headers.tokenizer = std::make_unique<Tokenizer>(tokenizerPath);
        if (headers.tokenizer->vocabSize() > headers.config.vocabSize)
            throw FsllmError(tokenizerPath + ": the tokenizer has " +
                             std::to_string(headers.tokenizer->vocabSize()) +
                             " pieces but "
                             "config.json's vocab_size is " +
                             std::to_string(headers.config.vocabSize) +
                             "; they must come from the same model");
    } else if (requireTokenizer) {
        throw FsllmError(Tokenizer::missingMessage(directory));
    }
    return headers;
}

std::int64_t ModelHeaders::parameterCount() const {
    std::int64_t count = 0;
    for (const CheckpointShapes::Tensor& tensor : CheckpointShapes::expected(config))
        count += tensor.parameterNumel(); // shapes checked against the headers by read()
    return count;
}

LoadedModel LoadedModel::open(const std::string& directory, const std::string& device,
                              const std::string& dtype, bool requireTokenizer,
                              const LoadProgress& progress) {
    ModelHeaders headers = ModelHeaders::read(directory, device, dtype, requireTokenizer);
    LoadedModel model;
    model.directory = directory;
    model.config = headers.config;
    model.device = headers.device;
    model.storedDtype = headers.storedDtype;
    model.tokenizer = std::move(headers.tokenizer);
    try {
        model.decoder = Decoder(
            model.config, torch::TensorOptions().dtype(headers.computeType).device(model.device));
        WeightLoader::load(*model.decoder, *headers.checkpoint, &model.weightStats, progress);
    } catch (const c10::Error& e) {
        throw FsllmError(directory + ": " + e.what_without_backtrace());
    }
    model.decoder->eval();
    return model;
}

const Tokenizer& LoadedModel::requireTokenizer() const {
    if (!tokenizer)
        throw FsllmError(Tokenizer::missingMessage(directory));
    return *tokenizer;
}

} // namespace fsllm
