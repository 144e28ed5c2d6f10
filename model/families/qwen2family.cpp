// qwen2: Qwen2 and Qwen2.5 (Qwen2ForCausalLM). The LLaMA layout with biases on q_proj, k_proj
// and v_proj (always; o_proj has none, and there is no attention_bias field), and Qwen's
// optional sliding window (use_sliding_window, sliding_window, max_window_layers).
#include "familyfields.h"
#include "modelconfig.h"
#include "modelfamily.h"

namespace fsllm {

namespace {

void readOptions(const ConfigReader& reader, ModelConfig& config) {
    config.qkvBias = true;
    config.outputBias = false;
    FamilyFields::readQwenWindow(reader, config);
}

void writeOptions(const ModelConfig& config, nlohmann::ordered_json& json) {
    FamilyFields::writeQwenWindow(config, json);
}

} // namespace

const ModelFamily& qwen2Family() {
    static const ModelFamily family{
        "qwen2",
        "Qwen2ForCausalLM",
        "Qwen2 / Qwen2.5 decoder (LLaMA layout with q/k/v biases)",
        TensorNames::huggingFaceLlama(),
        {"self_attn.q_proj.bias", "self_attn.k_proj.bias", "self_attn.v_proj.bias"},
        {"rotary_emb.inv_freq"},
        readOptions,
        writeOptions,
        nullptr, // readConfig: the common LLaMA fields
        nullptr, // writeConfig
        {},      // fields: the LLaMA names
    };
    return family;
}

} // namespace fsllm
