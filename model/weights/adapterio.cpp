#include "adapterio.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "jsontext.h"
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

const std::string kDecoderPrefix = "base_model.model.model.";
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

// PEFT keys: "<module path>.lora_A.weight"; the decoder's parameter: "<module path>.lora_A".
std::string peftKey(const std::string& modulePath, const char* matrix) {
    return kDecoderPrefix + modulePath + "." + matrix + ".weight";
}

} // namespace

std::string AdapterConfig::toJsonText() const {
    json targetModules = json::array();
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
    for (const char* pattern : {"rank_pattern", "alpha_pattern"}) {
        const json* value = given(pattern);
        if (value && !(value->is_object() && value->empty()))
            throw fieldError(pattern, "per-module ranks or alphas are not supported; give one "
                                      "r and lora_alpha for every module");
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

AdapterConfig AdapterConfig::load(const std::string& directory) {
    const std::string path = directory + "/" + kConfigFile;
    return fromJsonText(readText(path), path);
}

void AdapterIo::save(const std::string& directory, DecoderImpl& decoder,
                     ClassificationHeadImpl* head, const AdapterConfig& config) {
    std::filesystem::create_directories(directory);
    SafetensorsWriter writer;
    for (auto& [path, layer] : decoder.loraLayers()) {
        addTensor(writer, peftKey(path, "lora_A"), layer->loraA);
        addTensor(writer, peftKey(path, "lora_B"), layer->loraB);
    }
    if (head)
        for (const auto& item : head->named_parameters(/*recurse=*/true))
            addTensor(writer, kHeadPrefix + item.key(), item.value());
    writer.setMetadata("format", "pt");
    // Weights first, config last: a folder with a config always has matching weights.
    writer.write(directory + "/" + AdapterConfig::kWeightsFile);
    AtomicFile::write(directory + "/" + AdapterConfig::kConfigFile, config.toJsonText());
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

    // Every tensor the modules expect, by PEFT key.
    std::map<std::string, torch::Tensor> expected;
    for (auto& [path, layer] : decoder.loraLayers()) {
        expected[peftKey(path, "lora_A")] = layer->loraA;
        expected[peftKey(path, "lora_B")] = layer->loraB;
    }
    if (head && config.hasHead)
        for (auto& item : head->named_parameters(/*recurse=*/true))
            expected[kHeadPrefix + item.key()] = item.value();

    for (const auto& name : file.names()) {
        if (expected.count(name))
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
    for (auto& [name, parameter] : expected) {
        if (!file.contains(name))
            throw FsllmError(weightsPath + ": tensor '" + name + "' is missing");
        const TensorView& view = file.tensor(name);
        const std::vector<std::int64_t> shape(parameter.sizes().begin(), parameter.sizes().end());
        if (view.shape != shape)
            throw FsllmError(weightsPath + ": tensor '" + name + "' has shape " +
                             shapeString(view.shape) + ", expected " + shapeString(shape) +
                             " (was the adapter trained on another model or label set?)");
        const torch::Tensor values = tensorFromView(view, parameter.scalar_type());
        if (!torch::isfinite(values).all().item<bool>())
            throw FsllmError(weightsPath + ": tensor '" + name +
                             "' holds NaN or infinite values; the adapter is damaged (did its "
                             "training diverge?), train it again or use another checkpoint");
        parameter.copy_(values);
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
        // lora_A is [r, in], lora_B is [out, r].
        const std::int64_t rank = isA ? shape[0] : shape[1];
        const std::int64_t other = isA ? shape[1] : shape[0];
        if (rank != config.lora.rank)
            throw FsllmError(configPath + ": field 'r': " + r + " but " + where + " has rank " +
                             std::to_string(rank) + " (shape " + shapeString(shape) +
                             "); the config and the weights disagree, set r to " +
                             std::to_string(rank) + " or save the adapter again");
        if (rank > other)
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
