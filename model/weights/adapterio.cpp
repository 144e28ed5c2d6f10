#include "adapterio.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "peftlayout.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fsllm {

namespace {

using nlohmann::json;

const std::string kHeadPrefix = "base_model.model.score.";

// A tensor name for messages: quoted, long names cut (PEFT keys run to about 70 characters).
std::string tensorName(const std::string& name) {
    return "'" + JsonText::shortened(name, 160) + "'";
}

bool endsWith(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": cannot open the file (" + std::strerror(errno) +
                         "); is this an adapter or run folder?");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// "<...>.query_key_value.lora_A.weight" -> "query_key_value"
std::string targetOfKey(const std::string& name) {
    const std::size_t end = name.rfind(".lora_");
    const std::size_t begin = name.rfind('.', end - 1);
    return name.substr(begin + 1, end - begin - 1);
}

} // namespace

std::string AdapterConfig::toJsonText() const {
    json targetModules = json::array();
    if (!peftTargets.empty())
        for (const auto& target : peftTargets)
            targetModules.push_back(target);
    else
        for (const auto& target : targets.modules)
            targetModules.push_back(target + "_proj");
    json object = {
        {"peft_type", "LORA"},
        {"task_type", taskType},
        {"r", lora.rank},
        {"lora_alpha", lora.alpha},
        {"lora_dropout", lora.dropout},
        {"target_modules", targetModules},
        {"modules_to_save", hasHead ? json::array({"score"}) : json(nullptr)},
        {"bias", "none"},
        {"base_model_name_or_path", baseModel},
        {"fan_in_fan_out", false},
        {"inference_mode", true},
        {"init_lora_weights", true},
        {"use_rslora", lora.rsLora},
        {"rank_pattern", json(rankPattern)},
        {"alpha_pattern", json(alphaPattern)},
    };
    return object.dump(2) + "\n";
}

AdapterConfig AdapterConfig::fromJsonText(const std::string& text, const std::string& source) {
    const json object =
        JsonText::parse(text, source, "fix the file or save the adapter again with PEFT");
    if (!object.is_object())
        throw FsllmError(source + ": expected a JSON object, got " + JsonText::shown(object));
    auto field = [&](const char* name) -> const json& {
        if (!object.contains(name))
            throw FsllmError(source + ": field '" + name + "' is missing");
        return object.at(name);
    };
    auto fieldError = [&](const char* name, const std::string& problem) {
        return FsllmError(source + ": field '" + name + "': " + problem);
    };
    // A present, non-null field; null and absent mean "the PEFT default".
    auto given = [&](const char* name) -> const json* {
        const auto it = object.find(name);
        return it == object.end() || it->is_null() ? nullptr : &*it;
    };
    auto flag = [&](const char* name) {
        const json* value = given(name);
        if (value && !value->is_boolean())
            throw fieldError(name, "expected true or false, got " + JsonText::shown(*value));
        return value && value->get<bool>();
    };

    if (field("peft_type") != "LORA")
        throw fieldError("peft_type", "only LORA adapters are supported, got " +
                                          JsonText::shown(field("peft_type")));
    AdapterConfig config;
    const json& rank = field("r");
    if (!rank.is_number_integer() || rank.get<std::int64_t>() <= 0 ||
        rank.get<std::int64_t>() > kMaxRank)
        throw fieldError("r", "must be an integer from 1 to " + std::to_string(kMaxRank) +
                                  ", got " + JsonText::shown(rank));
    config.lora.rank = rank.get<std::int64_t>();
    const json& alpha = field("lora_alpha");
    if (!alpha.is_number() || !std::isfinite(alpha.get<double>()))
        throw fieldError("lora_alpha", "must be a finite number, got " + JsonText::shown(alpha));
    config.lora.alpha = alpha.get<double>();
    if (const json* dropout = given("lora_dropout")) {
        if (!dropout->is_number() || !(dropout->get<double>() >= 0.0) ||
            !(dropout->get<double>() < 1.0))
            throw fieldError("lora_dropout",
                             "must be a number in [0, 1), got " + JsonText::shown(*dropout));
        config.lora.dropout = dropout->get<double>();
    }
    config.lora.rsLora = flag("use_rslora");
    // PEFT options that change what the weights mean: refused rather than silently misread.
    if (flag("use_dora"))
        throw fieldError("use_dora", "DoRA adapters are not supported; use a plain LoRA adapter");
    if (flag("fan_in_fan_out"))
        throw fieldError("fan_in_fan_out", "transposed (Conv1D-style) LoRA weights are not "
                                           "supported; LLaMA-family adapters use false");
    // Per-module ranks only where this tool writes them: fused modules whose block form has
    // rank k * r and an alpha that keeps the scaling alpha / r (peftlayout.h).
    for (const char* pattern : {"rank_pattern", "alpha_pattern"}) {
        const json* value = given(pattern);
        if (!value || (value->is_object() && value->empty()))
            continue;
        if (!value->is_object())
            throw fieldError(pattern, "expected an object, got " + JsonText::shown(*value));
        for (const auto& item : value->items()) {
            const bool fused = item.key() == "query_key_value" || item.key() == "dense_h_to_4h";
            const bool rank = std::string(pattern) == "rank_pattern";
            if (!fused || !item.value().is_number() ||
                (rank &&
                 (!item.value().is_number_integer() || item.value().get<std::int64_t>() <= 0 ||
                  item.value().get<std::int64_t>() > kMaxRank)))
                throw fieldError(pattern, "per-module ranks or alphas are supported only for the "
                                          "fused modules query_key_value and dense_h_to_4h (got " +
                                              JsonText::shown(item.key()) + ": " +
                                              JsonText::shown(item.value()) +
                                              "); give one r and lora_alpha for every module");
            if (rank)
                config.rankPattern[item.key()] = item.value().get<std::int64_t>();
            else
                config.alphaPattern[item.key()] = item.value().get<double>();
        }
    }
    for (const auto& [target, rank] : config.rankPattern) {
        // The parts keep lora_alpha / r: the pattern's alpha / rank must be that scaling.
        const auto alpha = config.alphaPattern.find(target);
        const double expected = config.lora.rsLora
                                    ? config.lora.alpha * std::sqrt(double(rank) / config.lora.rank)
                                    : config.lora.alpha * double(rank) / config.lora.rank;
        if (rank != config.lora.rank &&
            (alpha == config.alphaPattern.end() ||
             std::abs(alpha->second - expected) > 1e-9 * std::max(1.0, std::abs(expected))))
            throw fieldError("alpha_pattern", "'" + target + "' has rank " + std::to_string(rank) +
                                                  " and needs alpha " + JsonText::shown(expected) +
                                                  " to keep lora_alpha / r; per-module scalings "
                                                  "are not supported");
    }
    if (object.contains("bias") && object["bias"] != "none")
        throw fieldError("bias",
                         "only \"none\" is supported, got " + JsonText::shown(object["bias"]));
    if (object.contains("task_type") && object["task_type"].is_string())
        config.taskType = object["task_type"].get<std::string>();
    if (object.contains("base_model_name_or_path") && object["base_model_name_or_path"].is_string())
        config.baseModel = object["base_model_name_or_path"].get<std::string>();

    const json& targets = field("target_modules");
    if (!targets.is_array() || targets.empty())
        throw fieldError("target_modules",
                         "must be a non-empty list such as [\"q_proj\", \"v_proj\"]");
    std::string joined;
    for (const auto& target : targets) {
        if (!target.is_string())
            throw fieldError("target_modules",
                             "must be a list of strings, found " + JsonText::shown(target));
        joined += (joined.empty() ? "" : ",") + target.get<std::string>();
        config.peftTargets.push_back(target.get<std::string>());
    }
    config.targets = withErrorContext(source + ": field 'target_modules'",
                                      [&] { return LoraTargets::parse(joined); });

    config.hasHead = false;
    if (object.contains("modules_to_save") && object["modules_to_save"].is_array()) {
        for (const auto& module : object["modules_to_save"]) {
            if (module == "score")
                config.hasHead = true;
            else
                throw fieldError("modules_to_save", "the classification head must be named "
                                                    "'score' (found " +
                                                        JsonText::shown(module) + ")");
        }
    }
    return config;
}

std::int64_t AdapterConfig::rankOf(const std::string& target) const {
    const auto found = rankPattern.find(target);
    return found == rankPattern.end() ? lora.rank : found->second;
}

AdapterConfig AdapterConfig::load(const std::string& directory) {
    const std::string path = directory + "/" + kConfigFile;
    return fromJsonText(readText(path), path);
}

void AdapterIo::save(const std::string& directory, DecoderImpl& decoder,
                     ClassificationHeadImpl* head, const AdapterConfig& config) {
    std::filesystem::create_directories(directory);
    SafetensorsWriter writer;
    AdapterConfig written = config;
    written.peftTargets = PeftLayout::targetNames(decoder.config(), config.targets);
    written.rankPattern.clear();
    written.alphaPattern.clear();
    for (const PeftLayout::Module& module : PeftLayout::modules(decoder)) {
        const auto [a, b] = PeftLayout::fileWeights(module);
        addTensor(writer, module.key + ".lora_A.weight", a);
        addTensor(writer, module.key + ".lora_B.weight", b);
        if (a.size(0) != config.lora.rank) { // a fused module's block form
            const double ratio = double(a.size(0)) / double(config.lora.rank);
            written.rankPattern[module.target] = a.size(0);
            written.alphaPattern[module.target] =
                config.lora.alpha * (config.lora.rsLora ? std::sqrt(ratio) : ratio);
        }
    }
    if (head)
        for (const auto& item : head->named_parameters(/*recurse=*/true))
            addTensor(writer, kHeadPrefix + item.key(), item.value());
    writer.setMetadata("format", "pt");
    // Weights first, config last: a folder with a config always has matching weights.
    writer.write(directory + "/" + AdapterConfig::kWeightsFile);
    AtomicFile::write(directory + "/" + AdapterConfig::kConfigFile, written.toJsonText());
}

AdapterConfig AdapterIo::load(const std::string& directory, DecoderImpl& decoder,
                              ClassificationHeadImpl* head) {
    const std::string configPath = directory + "/" + AdapterConfig::kConfigFile;
    AdapterConfig config = AdapterConfig::load(directory);
    if (config.hasHead && !head)
        throw FsllmError(configPath + ": the adapter has a classification head ('score') but no "
                                      "head was set up to receive it");

    // The weights' header is read (and mapped, not copied) before any LoRA module exists, so
    // the rank is checked against the tensors before anything of that size is allocated.
    const std::string weightsPath = directory + "/" + AdapterConfig::kWeightsFile;
    SafetensorsFile file(weightsPath);
    checkRank(config, file, configPath);
    if (decoder.loraLayers().empty())
        decoder.enableLora(config.lora, config.targets);

    // Every tensor the modules expect, by PEFT key: LoRA pairs by module, the head by name.
    std::map<std::string, const PeftLayout::Module*> loraModules;
    const std::vector<PeftLayout::Module> modules = PeftLayout::modules(decoder);
    for (const PeftLayout::Module& module : modules)
        loraModules[module.key] = &module;
    std::map<std::string, torch::Tensor> expected;
    if (head && config.hasHead)
        for (auto& item : head->named_parameters(/*recurse=*/true))
            expected[kHeadPrefix + item.key()] = item.value();

    const auto readFinite = [&](const std::string& name, torch::ScalarType type) {
        if (!file.contains(name))
            throw FsllmError(weightsPath + ": tensor '" + name + "' is missing");
        const torch::Tensor values = tensorFromView(file.tensor(name), type);
        if (!torch::isfinite(values).all().item<bool>())
            throw FsllmError(weightsPath + ": tensor '" + name +
                             "' holds NaN or infinite values; the adapter is damaged (did its "
                             "training diverge?), train it again or use another checkpoint");
        return values;
    };
    for (const auto& name : file.names()) {
        const std::size_t lora = name.rfind(".lora_");
        if (expected.count(name) ||
            (lora != std::string::npos && loraModules.count(name.substr(0, lora)) &&
             (endsWith(name, ".lora_A.weight") || endsWith(name, ".lora_B.weight"))))
            continue;
        if (name.rfind("base_model.model.", 0) == 0 && name.find("lora_") == std::string::npos)
            throw FsllmError(weightsPath + ": tensor " + tensorName(name) +
                             " belongs to no LoRA layer; the classification head must be saved "
                             "under 'score' (base_model.model.score.*) with this head's "
                             "parameter names");
        throw FsllmError(weightsPath + ": unexpected tensor " + tensorName(name) +
                         " (does adapter_config.json's target_modules match the tensors, and is "
                         "this adapter for this model?)");
    }
    torch::NoGradGuard noGrad;
    for (const PeftLayout::Module& module : modules) {
        const auto type = module.parts.front().module->loraA.scalar_type();
        PeftLayout::assign(module, readFinite(module.key + ".lora_A.weight", type),
                           readFinite(module.key + ".lora_B.weight", type), weightsPath);
    }
    for (auto& [name, parameter] : expected) {
        if (!file.contains(name))
            throw FsllmError(weightsPath + ": tensor '" + name + "' is missing");
        const TensorView& view = file.tensor(name);
        const std::vector<std::int64_t> shape(parameter.sizes().begin(), parameter.sizes().end());
        if (view.shape != shape)
            throw FsllmError(weightsPath + ": tensor '" + name + "' has shape " +
                             shapeString(view.shape) + ", expected " + shapeString(shape) +
                             " (was the adapter trained on another model or label set?)");
        parameter.copy_(readFinite(name, parameter.scalar_type()));
    }
    return config;
}

void AdapterIo::checkRank(const AdapterConfig& config, const SafetensorsFile& file,
                          const std::string& configPath) {
    const std::string r = std::to_string(config.lora.rank);
    bool found = false;
    for (const std::string& name : file.names()) {
        const bool isA = endsWith(name, ".lora_A.weight");
        if (!isA && !endsWith(name, ".lora_B.weight"))
            continue;
        found = true;
        const std::vector<std::int64_t>& shape = file.tensor(name).shape;
        const std::string where = file.path() + ", tensor " + tensorName(name);
        if (shape.size() != 2)
            throw FsllmError(file.path() + ": tensor " + tensorName(name) + " has shape " +
                             shapeString(shape) + "; a LoRA matrix has two dimensions");
        // lora_A is [r, in], lora_B is [out, r]; a fused module may have its rank_pattern rank
        // (block form) or r (one shared A, as PEFT trains it).
        const std::int64_t rank = isA ? shape[0] : shape[1];
        const std::int64_t other = isA ? shape[1] : shape[0];
        if (rank != config.lora.rank && rank != config.rankOf(targetOfKey(name)))
            throw FsllmError(configPath + ": field 'r': " + r + " but " + where + " has rank " +
                             std::to_string(rank) + " (shape " + shapeString(shape) +
                             "); the config and the weights disagree, set r to " +
                             std::to_string(rank) + " or save the adapter again");
        if (rank > other && rank == config.lora.rank) // a block form's rank may exceed it
            throw FsllmError(configPath + ": field 'r': " + r + " exceeds the " +
                             std::to_string(other) + " features of " + where +
                             "; a LoRA rank is at most min(in, out), the adapter is damaged");
    }
    if (!found)
        throw FsllmError(file.path() +
                         ": holds no LoRA tensors (*.lora_A.weight, "
                         "*.lora_B.weight); is this an adapter_model.safetensors of a LoRA "
                         "adapter?");
}

} // namespace fsllm
