// mistral: Mistral 7B and relatives (MistralForCausalLM): the LLaMA layout with a sliding
// attention window in every layer (config.json "sliding_window", null for none). Biases follow
// attention_bias as for llama (Mistral checkpoints have none).
#include "familyfields.h"
#include "modelfamily.h"

namespace fsllm {

namespace {

void readOptions(const ConfigReader& reader, ModelConfig& config) {
    FamilyFields::readAttentionBias(reader, config);
    FamilyFields::readEveryLayerWindow(reader, config);
}

void writeOptions(const ModelConfig& config, nlohmann::ordered_json& json) {
    FamilyFields::writeAttentionBias(config, json);
    FamilyFields::writeEveryLayerWindow(config, json);
}

} // namespace

const ModelFamily& mistralFamily() {
    static const ModelFamily family{
        "mistral",
        "MistralForCausalLM",
        "Mistral decoder (LLaMA layout, sliding-window attention in every layer)",
        TensorNames::huggingFaceLlama(),
        {},
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
