// Shared family config fields (see familyfields.h).
#include "familyfields.h"

#include "configreader.h"
#include "modelconfig.h"

#include <string>

namespace fsllm {

void FamilyFields::readAttentionBias(const ConfigReader& reader, ModelConfig& config) {
    const bool bias = reader.optionalBool("attention_bias", false);
    config.qkvBias = bias;
    config.outputBias = bias;
}

void FamilyFields::writeAttentionBias(const ModelConfig& config, nlohmann::ordered_json& json) {
    json["attention_bias"] = config.qkvBias || config.outputBias;
}

void FamilyFields::readEveryLayerWindow(const ConfigReader& reader, ModelConfig& config) {
    config.slidingWindow = reader.optionalPositive("sliding_window", 0);
    config.fullAttentionLayers = 0;
}

void FamilyFields::writeEveryLayerWindow(const ModelConfig& config,
                                         nlohmann::ordered_json& json) {
    json["sliding_window"] = config.slidingWindow > 0
                                 ? nlohmann::ordered_json(config.slidingWindow)
                                 : nlohmann::ordered_json(nullptr);
}

void FamilyFields::readQwenWindow(const ConfigReader& reader, ModelConfig& config) {
    config.slidingWindow = 0;
    config.fullAttentionLayers = 0;
    const bool used = reader.optionalBool("use_sliding_window", false);
    const int window = reader.optionalPositive("sliding_window", 0);
    if (used && window == 0)
        reader.fail("sliding_window", "use_sliding_window is true but sliding_window is not "
                                      "set; give the window size or set use_sliding_window false");
    // Qwen2Config's default max_window_layers is 28.
    int fullLayers = 0;
    if (const auto* value = reader.find("max_window_layers")) {
        fullLayers = reader.integer("max_window_layers", *value);
        if (fullLayers < 0)
            reader.fail("max_window_layers", "must be >= 0, got " + std::to_string(fullLayers));
    } else {
        fullLayers = 28;
    }
    if (const auto* types = reader.find("layer_types")) {
        // The explicit form wins (as in transformers); it must be "full first, sliding after".
        if (!types->is_array() || int(types->size()) != config.numLayers)
            reader.fail("layer_types", "expected a list of " + std::to_string(config.numLayers) +
                                           " strings (one per layer), got " +
                                           ConfigReader::shown(*types));
        int full = 0;
        bool sliding = false;
        for (const auto& type : *types) {
            const bool isFull = type == "full_attention";
            if (!isFull && type != "sliding_attention")
                reader.fail("layer_types", "entry " + ConfigReader::shown(type) +
                                               " is not \"full_attention\" or "
                                               "\"sliding_attention\"");
            if (isFull && sliding)
                reader.fail("layer_types", "full_attention after sliding_attention layers is not "
                                           "supported; only the max_window_layers pattern is");
            sliding = sliding || !isFull;
            full += isFull ? 1 : 0;
        }
        // As in transformers, sliding_attention layers slide only with use_sliding_window.
        if (sliding && used) {
            config.slidingWindow = window;
            config.fullAttentionLayers = full;
        }
        return;
    }
    if (used && fullLayers < config.numLayers) {
        config.slidingWindow = window;
        config.fullAttentionLayers = fullLayers;
    }
}

void FamilyFields::writeQwenWindow(const ModelConfig& config, nlohmann::ordered_json& json) {
    json["use_sliding_window"] = config.slidingWindow > 0;
    json["sliding_window"] = config.slidingWindow > 0 ? nlohmann::ordered_json(config.slidingWindow)
                                                      : nlohmann::ordered_json(nullptr);
    json["max_window_layers"] = config.slidingWindow > 0 ? config.fullAttentionLayers
                                                         : config.numLayers;
}

} // namespace fsllm
