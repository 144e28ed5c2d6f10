#include "engine.h"

#include "adapterio.h"
#include "checkpointindex.h"
#include "classificationhead.h"
#include "decoder.h"
#include "fsllmerror.h"
#include "modelconfig.h"
#include "tensorutil.h"
#include "tokenizer.h"
#include "weightloader.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>

namespace fsllm {

namespace {

torch::Device resolveDevice(const std::string& name) {
    if (name == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::kCPU;
    if (name == "cpu")
        return torch::kCPU;
    if (name.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw FsllmError("device '" + name + "' asked for, but this LibTorch build has no CUDA "
                             "or no GPU is visible; use --device cpu");
        return torch::Device(name);
    }
    throw FsllmError("unknown device '" + name + "'; choose auto, cpu, cuda or cuda:N");
}

torch::ScalarType resolveDtype(const std::string& name, DType stored, const torch::Device& device) {
    if (name != "auto")
        return scalarTypeFromName(name);
    if (stored == DType::F16 && device.is_cpu())
        return torch::kFloat32; // half matmuls are slow or missing on CPU
    return scalarTypeOf(stored);
}

// Copies a tensor to a flat float vector (CPU, f32).
std::vector<float> toVector(const torch::Tensor& tensor) {
    auto cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const float* data = cpu.data_ptr<float>();
    return std::vector<float>(data, data + cpu.numel());
}

} // namespace

struct Engine::Impl {
    std::string directory;
    ModelConfig config;
    torch::Device device = torch::kCPU;
    DType storedDtype = DType::F32;
    Decoder decoder{nullptr};
    std::unique_ptr<Tokenizer> tokenizer;
    std::optional<ClassifierSpec> classifier;
    ClassificationHead head{nullptr};
};

Engine::Engine() : m_impl(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::open(const std::string& modelDirectory,
                                     const EngineOptions& options) {
    std::unique_ptr<Engine> engine(new Engine());
    Impl& d = *engine->m_impl;
    d.directory = modelDirectory;
    if (!std::filesystem::is_directory(modelDirectory))
        throw FsllmError(modelDirectory + ": not a folder; give a Hugging Face checkpoint folder "
                         "(config.json, model.safetensors, tokenizer.model)");
    Runtime::configureThreads(options.threads);
    d.config = ModelConfig::fromFile(modelDirectory + "/config.json");
    d.device = resolveDevice(options.device);
    try {
        CheckpointIndex checkpoint(modelDirectory);
        const std::string embedName = "model.embed_tokens.weight";
        if (!checkpoint.contains(embedName))
            throw FsllmError(modelDirectory + ": tensor '" + embedName + "' is missing; is this "
                             "a LLaMA-family checkpoint?");
        d.storedDtype = checkpoint.tensor(embedName).dtype;
        const auto dtype = resolveDtype(options.dtype, d.storedDtype, d.device);
        d.decoder = Decoder(d.config, torch::TensorOptions().dtype(dtype).device(d.device));
        const auto unused = WeightLoader::load(*d.decoder, checkpoint);
        if (!unused.empty())
            spdlog::warn("{}: {} checkpoint tensor(s) not used by the decoder (first: {})",
                         modelDirectory, unused.size(), unused.front());
    } catch (const c10::Error& e) {
        throw FsllmError(modelDirectory + ": " + e.what_without_backtrace());
    }
    d.decoder->eval();

    const std::string tokenizerPath = modelDirectory + "/tokenizer.model";
    if (std::filesystem::exists(tokenizerPath)) {
        d.tokenizer = std::make_unique<Tokenizer>(tokenizerPath);
        if (d.tokenizer->vocabSize() > d.config.vocabSize)
            throw FsllmError(tokenizerPath + ": the tokenizer has " +
                             std::to_string(d.tokenizer->vocabSize()) + " pieces but config.json's "
                             "vocab_size is " + std::to_string(d.config.vocabSize) +
                             "; they must come from the same model");
    }
    return engine;
}

ModelSummary Engine::summary() const {
    const Impl& d = *m_impl;
    ModelSummary s;
    s.directory = d.directory;
    s.modelType = d.config.modelType;
    s.layers = d.config.numLayers;
    s.hiddenSize = d.config.hiddenSize;
    s.intermediateSize = d.config.intermediateSize;
    s.heads = d.config.numHeads;
    s.kvHeads = d.config.numKvHeads;
    s.headDim = d.config.headDim;
    s.vocabSize = d.config.vocabSize;
    s.maxPositions = d.config.maxPositionEmbeddings;
    s.ropeTheta = d.config.ropeTheta;
    s.ropeScaling = d.config.ropeScalingFactor;
    s.rmsNormEps = d.config.rmsNormEps;
    s.tiedEmbeddings = d.config.tieWordEmbeddings;
    for (const auto& parameter : d.decoder->parameters())
        if (!parameter.requires_grad())
            s.parameterCount += parameter.numel();
    s.storedDtype = scalarTypeName(scalarTypeOf(d.storedDtype));
    s.computeDtype = scalarTypeName(d.decoder->dtype());
    s.device = d.device.str();
    s.tokenizerPieces = d.tokenizer ? d.tokenizer->vocabSize() : 0;
    s.runtime = Runtime::describe();
    return s;
}

void Engine::loadAdapter(const std::string& runDirectory) {
    Impl& d = *m_impl;
    ClassifierSpec spec = ClassifierSpec::load(runDirectory);
    // A fresh decoder copy is not needed: adapters are added on top of the frozen base, and a
    // second adapter is refused rather than silently stacked.
    if (d.classifier)
        throw FsllmError(runDirectory + ": an adapter is already loaded; open the model again to "
                         "use another one");
    try {
        d.head = ClassificationHead(d.config.hiddenSize, static_cast<int64_t>(spec.labels.size()),
                                    spec.head, spec.headInner, d.config.rmsNormEps, d.device);
        AdapterIo::load(runDirectory, *d.decoder, d.head.get());
    } catch (const c10::Error& e) {
        throw FsllmError(runDirectory + ": " + e.what_without_backtrace());
    }
    d.decoder->eval();
    d.head->eval();
    d.classifier = spec;
}

const ClassifierSpec* Engine::classifier() const {
    return m_impl->classifier ? &*m_impl->classifier : nullptr;
}

InspectResult Engine::inspect(const InspectRequest& request) {
    Impl& d = *m_impl;
    if (!d.tokenizer)
        throw FsllmError(d.directory + "/tokenizer.model: missing; inspecting text needs the "
                         "checkpoint's sentencepiece tokenizer");
    request.mask.validate();
    InspectResult result;
    result.ids = d.tokenizer->encode(request.text, /*addBos=*/true);
    result.tokens = d.tokenizer->pieces(result.ids);
    const int T = static_cast<int>(result.ids.size());
    if (T > d.config.maxPositionEmbeddings)
        throw FsllmError("the text has " + std::to_string(T) + " tokens, more than the model's "
                         "max_position_embeddings (" + std::to_string(d.config.maxPositionEmbeddings) +
                         "); shorten it");
    result.mask = request.mask;
    result.layers = d.config.numLayers;
    result.heads = d.config.numHeads;
    result.tokenCount = T;
    result.hiddenSize = d.config.hiddenSize;
    result.vocabSize = d.config.vocabSize;

    torch::NoGradGuard noGrad;
    try {
        std::vector<int64_t> ids(result.ids.begin(), result.ids.end());
        auto idTensor = torch::tensor(ids, torch::kInt64).unsqueeze(0); // [1, T]
        auto lengths = torch::full({1}, T, torch::kInt64);               // [1]
        ForwardOptions options{request.mask, request.wantAttention, request.wantLogits};
        DecoderOutput output = d.decoder->forward(idTensor, lengths, options);
        for (const auto& layerProbabilities : output.attention) {
            auto values = toVector(layerProbabilities[0]); // [H, T, T]
            result.attention.insert(result.attention.end(), values.begin(), values.end());
        }
        if (request.wantHidden)
            result.hidden = toVector(output.hidden[0]); // [T, D]
        if (output.logits.defined())
            result.logits = toVector(output.logits[0]); // [T, V]
        if (d.classifier) {
            result.hasPrediction = true;
            result.task = d.classifier->task;
            result.labels = d.classifier->labels;
            auto features = d.classifier->task == TaskKind::Sequence
                                ? poolHidden(output.hidden, lengths, d.classifier->pooling)
                                : output.hidden[0]; // [1, D] or [T, D]
            result.probabilities = toVector(torch::softmax(d.head(features), -1));
        }
    } catch (const c10::Error& e) {
        throw FsllmError(std::string("inspect failed: ") + e.what_without_backtrace());
    }
    return result;
}

} // namespace fsllm
