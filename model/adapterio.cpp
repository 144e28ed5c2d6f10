#include "adapterio.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "safetensorsfile.h"
#include "safetensorswriter.h"
#include "tensorutil.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fsllm {

namespace {

using nlohmann::json;

const std::string kDecoderPrefix = "base_model.model.model.";
const std::string kHeadPrefix = "base_model.model.score.";

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": cannot open the file");
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
    };
    return object.dump(2) + "\n";
}

AdapterConfig AdapterConfig::fromJsonText(const std::string& text, const std::string& source) {
    json object;
    try {
        object = json::parse(text);
    } catch (const json::exception& e) {
        throw FsllmError(source + ": not valid JSON (" + e.what() + ")");
    }
    if (!object.is_object())
        throw FsllmError(source + ": expected a JSON object");
    auto field = [&](const char* name) -> const json& {
        if (!object.contains(name))
            throw FsllmError(source + ": field '" + name + "' is missing");
        return object.at(name);
    };
    auto fieldError = [&](const char* name, const std::string& problem) {
        return FsllmError(source + ": field '" + name + "': " + problem);
    };

    if (field("peft_type") != "LORA")
        throw fieldError("peft_type", "only LORA adapters are supported");
    AdapterConfig config;
    if (!field("r").is_number_integer() || field("r").get<int64_t>() <= 0)
        throw fieldError("r", "must be a positive integer");
    config.lora.rank = field("r").get<int64_t>();
    if (!field("lora_alpha").is_number())
        throw fieldError("lora_alpha", "must be a number");
    config.lora.alpha = field("lora_alpha").get<double>();
    if (object.contains("lora_dropout") && object["lora_dropout"].is_number())
        config.lora.dropout = object["lora_dropout"].get<double>();
    if (object.contains("bias") && object["bias"] != "none")
        throw fieldError("bias", "only \"none\" is supported");
    if (object.contains("task_type") && object["task_type"].is_string())
        config.taskType = object["task_type"].get<std::string>();
    if (object.contains("base_model_name_or_path") && object["base_model_name_or_path"].is_string())
        config.baseModel = object["base_model_name_or_path"].get<std::string>();

    const json& targets = field("target_modules");
    if (!targets.is_array() || targets.empty())
        throw fieldError("target_modules", "must be a non-empty list such as [\"q_proj\", \"v_proj\"]");
    std::string joined;
    for (const auto& target : targets) {
        if (!target.is_string())
            throw fieldError("target_modules", "must be a list of strings");
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
                                 "'score' (found '" + module.dump() + "')");
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
    AdapterConfig config = AdapterConfig::load(directory);
    if (config.hasHead && !head)
        throw FsllmError(directory + ": the adapter has a classification head ('score') but no "
                         "head was set up to receive it");
    if (decoder.loraLayers().empty())
        decoder.enableLora(config.lora, config.targets);

    const std::string weightsPath = directory + "/" + AdapterConfig::kWeightsFile;
    SafetensorsFile file(weightsPath);

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
            throw FsllmError(weightsPath + ": tensor '" + name + "' belongs to no LoRA layer; "
                             "the classification head must be saved under 'score' "
                             "(base_model.model.score.*) with this head's parameter names");
        throw FsllmError(weightsPath + ": unexpected tensor '" + name + "' (does adapter_config.json's "
                         "target_modules match the tensors, and is this adapter for this model?)");
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
        parameter.copy_(tensorFromView(view, parameter.scalar_type()));
    }
    return config;
}

} // namespace fsllm
