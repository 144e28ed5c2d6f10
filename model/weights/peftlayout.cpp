// PEFT keys and fused-module conversion (see peftlayout.h).
#include "peftlayout.h"

#include "fsllmerror.h"
#include "modelfamily.h"
#include "tensorutil.h"

#include <algorithm>

namespace fsllm {

namespace {

bool isQkv(const std::string& target) {
    return target == "q" || target == "k" || target == "v";
}

bool isGateUp(const std::string& target) {
    return target == "gate" || target == "up";
}

// The family's stem of an engine target ("q" -> "self_attn.q_proj" or, fused,
// "self_attention.query_key_value") and the target's row offset in it.
std::pair<std::string, std::int64_t> stemOf(const ModelConfig& c, const std::string& target) {
    const TensorNames& n = c.family().names;
    const std::int64_t q = std::int64_t(c.numHeads) * c.headDim;
    const std::int64_t kv = std::int64_t(c.numKvHeads) * c.headDim;
    if (!n.fusedQkv.empty() && isQkv(target))
        return {n.fusedQkv, target == "q" ? 0 : target == "k" ? q : q + kv};
    if (!n.fusedGateUp.empty() && isGateUp(target))
        return {n.fusedGateUp, target == "gate" ? 0 : c.intermediateSize};
    const std::map<std::string, std::string TensorNames::*> members = {
        {"q", &TensorNames::qProj},       {"k", &TensorNames::kProj},
        {"v", &TensorNames::vProj},       {"o", &TensorNames::oProj},
        {"gate", &TensorNames::gateProj}, {"up", &TensorNames::upProj},
        {"down", &TensorNames::downProj}};
    return {n.*members.at(target), 0};
}

// "self_attention.query_key_value" -> "query_key_value"
std::string lastComponent(const std::string& stem) {
    const std::size_t dot = stem.rfind('.');
    return dot == std::string::npos ? stem : stem.substr(dot + 1);
}

// Output rows of the tensor behind `stem` (the fused total, or the projection's own).
std::int64_t rowsOf(const ModelConfig& c, const std::string& stem, const LoraLinear& part) {
    const TensorNames& n = c.family().names;
    if (!n.fusedQkv.empty() && stem == n.fusedQkv)
        return std::int64_t(c.numHeads + 2 * c.numKvHeads) * c.headDim;
    if (!n.fusedGateUp.empty() && stem == n.fusedGateUp)
        return 2 * std::int64_t(c.intermediateSize);
    return part->loraB.size(0);
}

} // namespace

std::vector<PeftLayout::Module> PeftLayout::modules(DecoderImpl& decoder) {
    const ModelConfig& config = decoder.config();
    const std::string layerPrefix = config.family().names.layerPrefix;
    std::vector<Module> result;
    for (auto& [path, layer] : decoder.loraLayers()) {
        // path: "layers.<N>.<group>.<target>_proj"
        const std::size_t indexEnd = path.find('.', 7);
        const std::string index = path.substr(7, indexEnd - 7);
        std::string target = lastComponent(path);
        target = target.substr(0, target.size() - 5); // "_proj"
        const auto [stem, offset] = stemOf(config, target);
        const std::string key = "base_model.model." + layerPrefix + index + "." + stem;
        if (result.empty() || result.back().key != key)
            result.push_back({key, lastComponent(stem), rowsOf(config, stem, layer), {}});
        result.back().parts.push_back({layer, offset});
    }
    return result;
}

std::vector<std::string> PeftLayout::targetNames(const ModelConfig& config,
                                                 const LoraTargets& targets) {
    std::vector<std::string> names;
    for (const std::string& target : targets.modules) {
        const std::string name = lastComponent(stemOf(config, target).first);
        if (std::find(names.begin(), names.end(), name) == names.end())
            names.push_back(name);
    }
    return names;
}

void PeftLayout::checkTargets(const ModelConfig& config, const LoraTargets& targets) {
    const TensorNames& n = config.family().names;
    const auto count = [&](bool (*inGroup)(const std::string&)) {
        return std::count_if(targets.modules.begin(), targets.modules.end(), inGroup);
    };
    if (!n.fusedQkv.empty() && count(isQkv) != 0 && count(isQkv) != 3)
        throw FsllmError("LoRA targets: " + config.modelType + " fuses q, k and v into " +
                         lastComponent(n.fusedQkv) + "; target all three or none");
    if (!n.fusedGateUp.empty() && count(isGateUp) != 0 && count(isGateUp) != 2)
        throw FsllmError("LoRA targets: " + config.modelType + " fuses gate and up into " +
                         lastComponent(n.fusedGateUp) + "; target both or neither");
}

std::pair<torch::Tensor, torch::Tensor> PeftLayout::fileWeights(const Module& module) {
    torch::NoGradGuard noGrad;
    const LoraLinear& first = module.parts.front().module;
    if (module.parts.size() == 1 && module.rows == first->loraB.size(0))
        return {first->loraA.detach(), first->loraB.detach()};
    const std::int64_t rank = first->loraA.size(0);
    std::vector<torch::Tensor> as;
    torch::Tensor b = torch::zeros({module.rows, rank * std::int64_t(module.parts.size())},
                                   first->loraB.options().requires_grad(false));
    for (std::size_t i = 0; i < module.parts.size(); ++i) {
        const Part& part = module.parts[i];
        as.push_back(part.module->loraA.detach());
        b.narrow(0, part.rowOffset, part.module->loraB.size(0))
            .narrow(1, rank * std::int64_t(i), rank)
            .copy_(part.module->loraB.detach());
    }
    return {torch::cat(as, 0), b};
}

void PeftLayout::assign(const Module& module, const torch::Tensor& a, const torch::Tensor& b,
                        const std::string& where) {
    torch::NoGradGuard noGrad;
    const LoraLinear& first = module.parts.front().module;
    const std::int64_t rank = first->loraA.size(0);
    const std::int64_t parts = std::int64_t(module.parts.size());
    const std::int64_t fileRank = a.size(0);
    const std::vector<std::int64_t> aShape = {fileRank, first->loraA.size(1)};
    const std::vector<std::int64_t> bShape = {module.rows, fileRank};
    if (a.sizes().vec() != aShape || b.sizes().vec() != bShape ||
        (fileRank != rank && fileRank != parts * rank))
        throw FsllmError(where + ": " + module.key + " has lora_A " + shapeString(a.sizes().vec()) +
                         " and lora_B " + shapeString(b.sizes().vec()) + ", expected [" +
                         std::to_string(rank) + ", " + std::to_string(first->loraA.size(1)) +
                         "] and [" + std::to_string(module.rows) + ", " + std::to_string(rank) +
                         "]" +
                         (parts > 1 ? " (or rank " + std::to_string(parts * rank) +
                                          " in the block form this tool writes)"
                                    : std::string()) +
                         " (was the adapter trained on another model?)");
    const bool blocks = parts > 1 && fileRank == parts * rank; // else one shared A
    torch::Tensor offDiagonal = blocks ? b.clone() : torch::Tensor();
    for (std::int64_t i = 0; i < parts; ++i) {
        const Part& part = module.parts[std::size_t(i)];
        const std::int64_t out = part.module->loraB.size(0);
        torch::Tensor rows = b.narrow(0, part.rowOffset, out);
        if (blocks) {
            part.module->loraA.copy_(a.narrow(0, i * rank, rank));
            part.module->loraB.copy_(rows.narrow(1, i * rank, rank));
            offDiagonal.narrow(0, part.rowOffset, out).narrow(1, i * rank, rank).zero_();
        } else {
            part.module->loraA.copy_(a);
            part.module->loraB.copy_(rows);
        }
    }
    if (blocks && offDiagonal.abs().max().item<double>() != 0.0)
        throw FsllmError(where + ": " + module.key + " has rank " + std::to_string(fileRank) +
                         " but its lora_B is not block-diagonal over " + std::to_string(parts) +
                         " projections, so it cannot be split into one rank-" +
                         std::to_string(rank) + " adapter each; was r changed by hand?");
}

} // namespace fsllm
