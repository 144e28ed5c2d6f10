// qwen3: Qwen3 dense models (Qwen3ForCausalLM). The LLaMA layout with a per-head RMSNorm of the
// queries and keys (self_attn.q_norm / k_norm, weights [head_dim], applied before RoPE);
// head_dim is its own field (Qwen3 sets it apart from hidden_size / heads). Biases follow
// attention_bias (false in released checkpoints); Qwen's optional sliding window as for qwen2.
#include "familyfields.h"
#include "modelconfig.h"
#include "modelfamily.h"

namespace fsllm {

namespace {

void readOptions(const ConfigReader& reader, ModelConfig& config) {
    FamilyFields::readAttentionBias(reader, config);
    config.qkNorm = true;
    FamilyFields::readQwenWindow(reader, config);
}

void writeOptions(const ModelConfig& config, nlohmann::ordered_json& json) {
    FamilyFields::writeAttentionBias(config, json);
    FamilyFields::writeQwenWindow(config, json);
}

} // namespace

const ModelFamily& qwen3Family() {
    static const ModelFamily family{
        "qwen3",
        "Qwen3ForCausalLM",
        "Qwen3 decoder (LLaMA layout with per-head q/k RMSNorm)",
        TensorNames::huggingFaceLlama(),
        {"self_attn.q_norm.weight", "self_attn.k_norm.weight"},
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
