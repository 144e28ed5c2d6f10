#include "engine.h"

#include "adapterio.h"
#include "atomicdirectory.h"
#include "classifiermodel.h"
#include "fsllmerror.h"
#include "loadedmodel.h"
#include "modelfamily.h"
#include "tensorutil.h"
#include "tokenattribution.h"

#include <spdlog/spdlog.h>

#include <optional>

namespace fsllm {

namespace {

// Copies a tensor to a flat float vector (CPU, f32).
std::vector<float> toVector(const torch::Tensor& tensor) {
    auto cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const float* data = cpu.data_ptr<float>();
    return std::vector<float>(data, data + cpu.numel());
}

// The fields every summary takes from config.json.
ModelSummary summaryOf(const std::string& directory, const ModelConfig& config) {
    ModelSummary s;
    s.directory = directory;
    s.modelType = config.modelType;
    s.family = config.family().summary;
    s.options = config.describeOptions();
    s.layers = config.numLayers;
    s.hiddenSize = config.hiddenSize;
    s.intermediateSize = config.intermediateSize;
    s.heads = config.numHeads;
    s.kvHeads = config.numKvHeads;
    s.headDim = config.headDim;
    s.vocabSize = config.vocabSize;
    s.maxPositions = config.maxPositionEmbeddings;
    s.ropeTheta = config.ropeTheta;
    s.ropeScaling = config.ropeType == "default" ? 1.0 : config.ropeScalingFactor;
    s.rmsNormEps = config.rmsNormEps;
    s.tiedEmbeddings = config.tieWordEmbeddings;
    s.runtime = Runtime::describe();
    return s;
}

// The token a token classifier's attribution explains (Engine::attribute, AttributionRequest::
// token): `requested` when it is one of the T tokens; for -1, of the tokens after BOS whose
// predicted tag is not "O", the one predicted with the highest probability, else the last token.
// probabilities: [T, C].
int attributedToken(const torch::Tensor& probabilities, const std::vector<std::string>& labels,
                    int requested) {
    const int T = static_cast<int>(probabilities.size(0));
    if (requested >= 0) {
        if (requested >= T)
            throw FsllmError("token " + std::to_string(requested) + " is out of range: the text "
                             "has " + std::to_string(T) + " tokens (0-based, BOS = 0)");
        return requested;
    }
    if (requested != -1)
        throw FsllmError("token must be -1 (choose automatically) or a token index >= 0, got " +
                         std::to_string(requested));
    const auto best = probabilities.max(1);
    torch::Tensor confidence = std::get<0>(best).clone(); // [T] probability of the predicted tag
    const torch::Tensor predicted = std::get<1>(best);    // [T] the predicted tag
    for (std::size_t c = 0; c < labels.size(); ++c)
        if (labels[c] == "O")
            confidence.masked_fill_(predicted.eq(static_cast<int64_t>(c)), -1.0);
    if (T > 1)
        confidence[0].fill_(-1.0); // BOS carries no word's tag
    const int64_t token = confidence.argmax().item<int64_t>();
    return confidence[token].item<double>() >= 0.0 ? static_cast<int>(token) : T - 1;
}

} // namespace

struct Engine::Impl {
    LoadedModel model;
    std::optional<ClassifierSpec> classifier;
    ClassifierModel classifierModel{nullptr}; // over model.decoder, once an adapter is loaded
};

Engine::Engine() : m_impl(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::open(const std::string& modelDirectory,
                                     const EngineOptions& options) {
    Runtime::configureThreads(options.threads);
    std::unique_ptr<Engine> engine(new Engine());
    engine->m_impl->model =
        LoadedModel::open(modelDirectory, options.device, options.dtype, /*requireTokenizer=*/false,
                          options.progress);
    return engine;
}

ModelSummary Engine::summary() const {
    const LoadedModel& d = m_impl->model;
    ModelSummary s = summaryOf(d.directory, d.config);
    for (const auto& parameter : d.decoder->parameters())
        if (!parameter.requires_grad())
            s.parameterCount += parameter.numel();
    s.storedDtype = scalarTypeName(scalarTypeOf(d.storedDtype));
    s.computeDtype = scalarTypeName(d.decoder->dtype());
    s.device = d.device.str();
    s.tokenizerPieces = d.tokenizer ? d.tokenizer->vocabSize() : 0;
    if (d.tokenizer) {
        s.tokenizerFile = d.tokenizer->path();
        s.tokenizerKind = d.tokenizer->kind();
    }
    return s;
}

ModelSummary Engine::summarize(const std::string& modelDirectory, const EngineOptions& options) {
    Runtime::configureThreads(options.threads);
    const ModelHeaders headers = ModelHeaders::read(modelDirectory, options.device, options.dtype,
                                                    /*requireTokenizer=*/false);
    ModelSummary s = summaryOf(headers.directory, headers.config);
    s.parameterCount = headers.parameterCount();
    s.storedDtype = scalarTypeName(scalarTypeOf(headers.storedDtype));
    s.computeDtype = scalarTypeName(headers.computeType);
    s.device = headers.device.str();
    s.tokenizerPieces = headers.tokenizer ? headers.tokenizer->vocabSize() : 0;
    if (headers.tokenizer) {
        s.tokenizerFile = headers.tokenizer->path();
        s.tokenizerKind = headers.tokenizer->kind();
    }
    return s;
}

EngineOptions Engine::inspectionOptions(const std::string& modelDirectory,
                                        EngineOptions options) {
    if (options.dtype != "auto")
        return options;
    try { // sizes and dtypes only: the tokenizer is read once, by open()
        const ModelHeaders headers =
            ModelHeaders::readWeights(modelDirectory, options.device, options.dtype);
        // "auto" already computes these in float32 (LoadedModel); the explicit dtype says so.
        const bool halfPrecision =
            headers.storedDtype == DType::BF16 || headers.storedDtype == DType::F16;
        if (halfPrecision && headers.device.is_cpu() &&
            headers.parameterCount() <= kFloat32InspectionMaxParameters)
            options.dtype = "float32";
    } catch (const std::exception&) {
        // open() reads the same files and says what is wrong with them.
    }
    return options;
}

void Engine::loadAdapter(const std::string& runOrAdapterDirectory) {
    Impl& d = *m_impl;
    // A run folder keeps its selected adapter in best/; an adapter folder is used as it is.
    const std::string best = AtomicDirectory::resolve(runOrAdapterDirectory + "/best");
    const std::string runDirectory = best.empty() ? runOrAdapterDirectory : best;
    ClassifierSpec spec = ClassifierSpec::load(runDirectory);
    // A fresh decoder copy is not needed: adapters are added on top of the frozen base, and a
    // second adapter is refused rather than silently stacked.
    if (d.classifier)
        throw FsllmError(runDirectory + ": an adapter is already loaded; open the model again to "
                         "use another one");
    try {
        d.classifierModel = ClassifierModel(d.model.decoder, spec);
        AdapterIo::load(runDirectory, *d.model.decoder, d.classifierModel->head.get());
    } catch (const c10::Error& e) {
        d.classifierModel = nullptr;
        throw FsllmError(runDirectory + ": " + e.what_without_backtrace());
    }
    d.classifierModel->eval(); // the decoder and the head
    d.classifier = spec;
}

const ClassifierSpec* Engine::classifier() const {
    return m_impl->classifier ? &*m_impl->classifier : nullptr;
}

InspectResult Engine::inspect(const InspectRequest& request) {
    return inspectMasks(request, {request.mask}).front();
}

std::vector<InspectResult> Engine::inspectMasks(const InspectRequest& request,
                                                const std::vector<MaskSpec>& masks) {
    Impl& impl = *m_impl;
    LoadedModel& d = impl.model;
    if (masks.empty())
        throw FsllmError("inspect: no mask to inspect under");
    for (const MaskSpec& mask : masks)
        mask.validate();
    const Tokenizer& tokenizer = d.requireTokenizer();
    InspectResult common;
    common.ids = tokenizer.encode(request.text, /*addBos=*/true);
    common.tokens = tokenizer.pieces(common.ids);
    const int T = static_cast<int>(common.ids.size());
    if (T > d.config.maxPositionEmbeddings)
        throw FsllmError("the text has " + std::to_string(T) + " tokens, more than the model's "
                         "max_position_embeddings (" + std::to_string(d.config.maxPositionEmbeddings) +
                         "); shorten it");
    common.layers = d.config.numLayers;
    common.heads = d.config.numHeads;
    common.tokenCount = T;
    common.hiddenSize = d.config.hiddenSize;
    common.vocabSize = d.config.vocabSize;
    const int64_t rows = static_cast<int64_t>(masks.size());

    std::vector<InspectResult> results(masks.size(), common);
    torch::NoGradGuard noGrad;
    try {
        std::vector<int64_t> ids(common.ids.begin(), common.ids.end());
        auto idTensor = torch::tensor(ids, torch::kInt64).unsqueeze(0).repeat({rows, 1}); // [R, T]
        auto lengths = torch::full({rows}, T, torch::kInt64);                             // [R]
        ForwardOptions options{masks.front(), request.wantAttention, request.wantLogits};
        if (rows > 1)
            options.rowMasks = masks;
        options.stop = request.cancel;
        DecoderOutput output = d.decoder->forward(idTensor, lengths, options);
        torch::Tensor classes; // [R, C] or [R, T, C]
        if (impl.classifier)
            classes = torch::softmax(impl.classifierModel->classify(output.hidden, lengths), -1);
        for (int64_t row = 0; row < rows; ++row) {
            InspectResult& result = results[static_cast<std::size_t>(row)];
            result.mask = masks[static_cast<std::size_t>(row)];
            for (const auto& layerProbabilities : output.attention) {
                auto values = toVector(layerProbabilities[row]); // [H, T, T]
                result.attention.insert(result.attention.end(), values.begin(), values.end());
            }
            if (request.wantHidden)
                result.hidden = toVector(output.hidden[row]); // [T, D]
            if (output.logits.defined())
                result.logits = toVector(output.logits[row]); // [T, V]
            if (impl.classifier) {
                const ClassifierSpec& spec = *impl.classifier;
                result.hasPrediction = true;
                result.task = spec.task;
                result.labels = spec.labels;
                result.probabilities = toVector(classes[row]);
            }
        }
    } catch (const c10::Error& e) {
        throw FsllmError(std::string("inspect failed: ") + e.what_without_backtrace());
    }
    return results;
}

AttributionResult Engine::attribute(const AttributionRequest& request) {
    Impl& impl = *m_impl;
    LoadedModel& d = impl.model;
    if (!impl.classifier)
        throw FsllmError("token attribution needs a trained classifier: choose a run or adapter");
    const ClassifierSpec& spec = *impl.classifier;
    request.mask.validate();
    const Tokenizer& tokenizer = d.requireTokenizer();
    const std::vector<int> ids = tokenizer.encode(request.text, /*addBos=*/true);
    const int T = static_cast<int>(ids.size());
    if (T > d.config.maxPositionEmbeddings)
        throw FsllmError("the text has " + std::to_string(T) + " tokens, more than the model's "
                         "max_position_embeddings (" + std::to_string(d.config.maxPositionEmbeddings) +
                         "); shorten it");
    AttributionResult result;
    result.tokens = tokenizer.pieces(ids);
    result.mask = request.mask;
    result.steps = request.steps;
    try {
        std::vector<int64_t> ids64(ids.begin(), ids.end());
        torch::Tensor input; // [T, D]
        {
            torch::NoGradGuard noGrad;
            input = d.decoder->embedTokens(torch::tensor(ids64, torch::kInt64).unsqueeze(0)
                                               .to(d.device))[0];
        }
        Decoder decoder = d.decoder;
        ClassifierModel classifier = impl.classifierModel;
        const MaskSpec mask = request.mask;
        // Logits of a batch of embeddings [B, T, D] (full-length rows, no padding): [B, C] for
        // sequence classifiers, [B, T, C] for token classifiers.
        auto logitsOf = [decoder, classifier, mask](const torch::Tensor& embeddings) mutable {
            auto lengths = torch::full({embeddings.size(0)}, embeddings.size(1), torch::kInt64);
            DecoderOutput output = decoder->forwardEmbeddings(embeddings, lengths,
                                                              ForwardOptions{mask, false, false});
            return classifier->classify(output.hidden, lengths);
        };
        torch::Tensor probabilities; // [C]: the sentence's, or the attributed token's
        const bool tokenTask = spec.task == TaskKind::Token;
        {
            torch::NoGradGuard noGrad;
            torch::Tensor all = torch::softmax(logitsOf(input.unsqueeze(0))[0], -1); // [C]|[T, C]
            if (tokenTask) {
                result.tokenIndex = attributedToken(all, spec.labels, request.token);
                probabilities = all[result.tokenIndex];
            } else {
                probabilities = all;
            }
        }
        const int64_t target = probabilities.argmax().item<int64_t>();
        result.labelIndex = static_cast<int>(target);
        result.label = spec.labels.at(static_cast<std::size_t>(target));
        result.probability = probabilities[target].item<double>();
        const int64_t position = result.tokenIndex;
        EmbeddingScore score = [logitsOf, target, position](const torch::Tensor& embeddings) mutable {
            torch::Tensor logits = logitsOf(embeddings); // [B, C] or [B, T, C]
            if (position >= 0)
                logits = logits.select(1, position); // [B, C]
            return logits.select(1, target);         // [B]
        };
        if (request.cancel && request.cancel()) {
            result.cancelled = true;
            return result;
        }
        result.gradientTimesInput = toVector(TokenAttribution::gradientTimesInput(score, input));
        IntegratedGradients integrated = TokenAttribution::integratedGradients(
            score, input,
            TokenAttribution::zeroBaselineKeepingPrefix(
                input, static_cast<int64_t>(tokenizer.prefixIds().size())),
            request.steps,
            request.cancel);
        if (integrated.cancelled) {
            result.cancelled = true;
            result.gradientTimesInput.clear();
            return result;
        }
        result.integratedGradients = toVector(integrated.attributions);
        result.inputScore = integrated.inputScore;
        result.baselineScore = integrated.baselineScore;
    } catch (const c10::Error& e) {
        throw FsllmError(std::string("token attribution failed: ") + e.what_without_backtrace());
    }
    return result;
}

} // namespace fsllm
