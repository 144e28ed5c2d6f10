// llama: LLaMA 1/2/3 (LlamaForCausalLM), the base layout every other row varies. Options from
// config.json: attention_bias (q/k/v/o biases together); rope_scaling linear/dynamic/llama3 and
// tie_word_embeddings are common fields (ModelConfig). No sliding window, no q/k norm.
#include "familyfields.h"
#include "modelfamily.h"

namespace fsllm {

namespace {

void readOptions(const ConfigReader& reader, ModelConfig& config) {
    FamilyFields::readAttentionBias(reader, config);
}

void writeOptions(const ModelConfig& config, nlohmann::ordered_json& json) {
    FamilyFields::writeAttentionBias(config, json);
}

} // namespace

const ModelFamily& llamaFamily() {
    static const ModelFamily family{
        "llama",
        "LlamaForCausalLM",
        "LLaMA 1/2/3 decoder (RMSNorm, RoPE, grouped-query attention, SwiGLU)",
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
