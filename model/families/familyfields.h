// config.json fields that several families share, read and written the same way: LLaMA's
// `attention_bias`, Mistral's `sliding_window` and Qwen's `use_sliding_window` /
// `sliding_window` / `max_window_layers` / `layer_types`. Family files call these from their
// readOptions/writeOptions. Torch-free. Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

namespace fsllm {

class ConfigReader;
struct ModelConfig;

class FamilyFields {
public:
    // "attention_bias" (default false): biases on q/k/v and o alike (LlamaAttention).
    static void readAttentionBias(const ConfigReader& reader, ModelConfig& config);
    static void writeAttentionBias(const ModelConfig& config, nlohmann::ordered_json& json);

    // Mistral: "sliding_window" (null or a positive size) applies to every layer.
    static void readEveryLayerWindow(const ConfigReader& reader, ModelConfig& config);
    static void writeEveryLayerWindow(const ModelConfig& config, nlohmann::ordered_json& json);

    // Qwen2/Qwen3: the window is used only when "use_sliding_window" is true, and then from
    // layer "max_window_layers" on (Qwen2Config.layer_types). An explicit "layer_types" list must
    // have that shape (full_attention layers first, then sliding_attention ones) and, as in
    // transformers, also needs use_sliding_window.
    static void readQwenWindow(const ConfigReader& reader, ModelConfig& config);
    static void writeQwenWindow(const ModelConfig& config, nlohmann::ordered_json& json);
};

} // namespace fsllm
