#include "decoder.h"

#include "cancelled.h"
#include "fsllmerror.h"
#include "layerrecompute.h"
#include "masking.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace fsllm {

namespace {

const char* const kTargetNames[] = {"q", "k", "v", "o", "gate", "up", "down"};

LoraLinear projectionOf(DecoderLayerImpl& layer, const std::string& target) {
    if (target == "q") return layer.selfAttn->qProj;
    if (target == "k") return layer.selfAttn->kProj;
    if (target == "v") return layer.selfAttn->vProj;
    if (target == "o") return layer.selfAttn->oProj;
    if (target == "gate") return layer.mlp->gateProj;
    if (target == "up") return layer.mlp->upProj;
    return layer.mlp->downProj;
}

std::string modulePathOf(const std::string& target) {
    if (target == "gate" || target == "up" || target == "down")
        return "mlp." + target + "_proj";
    return "self_attn." + target + "_proj";
}

} // namespace

LoraTargets LoraTargets::parse(const std::string& commaSeparated) {
    LoraTargets targets;
    targets.modules.clear();
    std::stringstream stream(commaSeparated);
    std::string item;
    while (std::getline(stream, item, ',')) {
        // ChatGLM's PEFT module names stand for the projections they hold.
        static const std::map<std::string, std::vector<std::string>> kChatGlmModules = {
            {"query_key_value", {"q", "k", "v"}},
            {"dense", {"o"}},
            {"dense_h_to_4h", {"gate", "up"}},
            {"dense_4h_to_h", {"down"}}};
        if (const auto found = kChatGlmModules.find(item); found != kChatGlmModules.end()) {
            targets.modules.insert(targets.modules.end(), found->second.begin(),
                                   found->second.end());
            continue;
        }
        if (item.size() > 5 && item.substr(item.size() - 5) == "_proj")
            item = item.substr(0, item.size() - 5); // accept PEFT names such as "q_proj"
        bool known = false;
        for (const char* name : kTargetNames)
            known = known || item == name;
        if (!known)
            throw FsllmError("unknown LoRA target '" + item +
                             "'; choose from q, k, v, o, gate, up, down");
        targets.modules.push_back(item);
    }
    if (targets.modules.empty())
        throw FsllmError("LoRA targets are empty; name at least one of q, k, v, o, gate, up, down");
    return targets;
}

std::string LoraTargets::join() const {
    std::string joined;
    for (const auto& module : modules)
        joined += (joined.empty() ? "" : ",") + module;
    return joined;
}

DecoderImpl::DecoderImpl(const ModelConfig& config, const torch::TensorOptions& options)
    : m_config(config),
      m_rope(config) {
    embedTokens = register_module(
        "embed_tokens", TokenEmbedding(config.vocabSize, config.hiddenSize, options));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < config.numLayers; ++i)
        layers->push_back(DecoderLayer(config, options));
    norm = register_module("norm", RmsNorm(config.hiddenSize, config.rmsNormEps, options));
    norm->weight.set_requires_grad(false);
    if (!config.tieWordEmbeddings)
        lmHead = register_module("lm_head", TokenEmbedding(config.vocabSize, config.hiddenSize,
                                                           options)); // [V, D] table, same shape
}

DecoderOutput DecoderImpl::forward(const torch::Tensor& ids, const torch::Tensor& lengths,
                                   const ForwardOptions& options) {
    return forwardEmbeddings(embedTokens(ids.to(device())), lengths, options);
}

DecoderOutput DecoderImpl::forwardEmbeddings(const torch::Tensor& embeddings,
                                             const torch::Tensor& lengths,
                                             const ForwardOptions& options) {
    const int64_t B = embeddings.size(0), T = embeddings.size(1);
    const auto onDevice = lengths.to(device());
    // Each row's mask: options.mask for all, or options.rowMasks.
    std::vector<MaskSpec> masks = options.rowMasks;
    if (masks.empty())
        masks.assign(static_cast<std::size_t>(B), options.mask);
    if (static_cast<int64_t>(masks.size()) != B)
        throw FsllmError("internal error: " + std::to_string(masks.size()) +
                         " row masks for a batch of " + std::to_string(B));
    for (const MaskSpec& mask : masks)
        mask.validateFor(m_config.numLayers);
    const std::vector<Biases> layerBiases = biasesPerLayer(masks, onDevice, T);
    auto [cos, sin] = m_rope.table(T, device(), dtype()); // [T, hd] each

    DecoderOutput output;
    auto x = embeddings; // [B, T, D]
    const bool recompute =
        options.recomputeLayers && !options.wantAttention && torch::GradMode::is_enabled();
    for (size_t index = 0; index < layers->size(); ++index) {
        auto layer = layers[index]->as<DecoderLayerImpl>();
        if (options.stop && options.stop())
            throw Cancelled("stopped before decoder layer " + std::to_string(index));
        const Biases& biases = layerBiases[index];
        const auto& layerBias =
            m_config.slidesAt(static_cast<int>(index)) ? biases.window : biases.full;
        if (recompute) {
            x = LayerRecompute::forward(*layer, x, cos, sin, layerBias);
            continue;
        }
        torch::Tensor probabilities;
        x = layer->forward(x, cos, sin, layerBias,
                           options.wantAttention ? &probabilities : nullptr);
        if (options.wantAttention)
            output.attention.push_back(probabilities);
    }
    output.hidden = norm(x);
    if (options.wantLogits)
        output.logits = lmLogits(output.hidden);
    return output;
}

std::vector<DecoderImpl::Biases> DecoderImpl::biasesPerLayer(const std::vector<MaskSpec>& masks,
                                                             const torch::Tensor& lengths,
                                                             int64_t T) const {
    const bool windowMatters = m_config.slidingWindow > 0 && m_config.slidingWindow < T;
    const auto biasesOf = [&](const MaskSpec& spec, const torch::Tensor& rowLengths) {
        Biases biases;
        biases.full = buildAttentionBias(spec, rowLengths, T);
        biases.window = windowMatters
                            ? buildAttentionBias(spec, rowLengths, T, m_config.slidingWindow)
                            : biases.full;
        return biases;
    };
    const int layerCount = m_config.numLayers;
    const bool oneMask = std::all_of(masks.begin(), masks.end(), [&](const MaskSpec& mask) {
        return mask.mode == masks.front().mode && mask.lambda == masks.front().lambda &&
               mask.fromLayer == masks.front().fromLayer;
    });
    // Each row's bias above and below its fromLayer (MaskSpec::atLayer: causal below it).
    std::vector<Biases> upper, lower;
    for (std::size_t row = 0; row < (oneMask ? 1 : masks.size()); ++row) {
        const auto rowLengths = oneMask ? lengths : lengths.narrow(0, static_cast<int64_t>(row), 1);
        upper.push_back(biasesOf(masks[row].atLayer(layerCount), rowLengths));
        lower.push_back(masks[row].fromLayer > 0 ? biasesOf(masks[row].atLayer(0), rowLengths)
                                                 : upper.back());
    }
    std::vector<Biases> perLayer;
    std::vector<bool> previous; // which rows were below their fromLayer at the previous layer
    for (int layer = 0; layer < layerCount; ++layer) {
        std::vector<bool> below;
        for (std::size_t row = 0; row < upper.size(); ++row)
            below.push_back(layer < masks[row].fromLayer);
        if (!perLayer.empty() && below == previous) {
            perLayer.push_back(perLayer.back());
            continue;
        }
        std::vector<torch::Tensor> full, window;
        for (std::size_t row = 0; row < upper.size(); ++row) {
            full.push_back((below[row] ? lower : upper)[row].full);
            window.push_back((below[row] ? lower : upper)[row].window);
        }
        perLayer.push_back(full.size() == 1 ? Biases{full[0], window[0]}
                                            : Biases{torch::cat(full, 0), torch::cat(window, 0)});
        previous = below;
    }
    return perLayer;
}

torch::Tensor DecoderImpl::lmLogits(const torch::Tensor& hidden) {
    const auto& head = lmHead ? lmHead->weight : embedTokens->weight;
    return torch::matmul(hidden, head.t()).to(torch::kFloat32);
}

void DecoderImpl::enableLora(const LoraSettings& settings, const LoraTargets& targets) {
    for (const auto& module : *layers) {
        auto layer = module->as<DecoderLayerImpl>();
        for (const auto& target : targets.modules)
            projectionOf(*layer, target)->enableLora(settings);
    }
}

void DecoderImpl::mergeLora() {
    for (auto& [path, layer] : loraLayers())
        layer->merge();
}

std::vector<std::pair<std::string, LoraLinear>> DecoderImpl::loraLayers() {
    std::vector<std::pair<std::string, LoraLinear>> found;
    for (size_t i = 0; i < layers->size(); ++i) {
        auto layer = layers[i]->as<DecoderLayerImpl>();
        for (const char* target : kTargetNames) {
            auto projection = projectionOf(*layer, target);
            if (projection->hasLora())
                found.emplace_back("layers." + std::to_string(i) + "." + modulePathOf(target),
                                   projection);
        }
    }
    return found;
}

} // namespace fsllm
