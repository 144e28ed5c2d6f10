// One row of the model-family table (familytable.h): what a Hugging Face `model_type` is to the
// engine. A family says which tensors its checkpoints hold and under which names, which options
// its architecture has (q/k/v and o biases, per-head q/k RMSNorm, sliding window; tied embeddings
// and RoPE scaling are common fields read by ModelConfig) and how its config.json fields map to
// ModelConfig. Each family lives in one small file (llamafamily.cpp, qwen2family.cpp, ...); see
// docs/ARCHITECTURE.md "Adding a model family". Torch-free.
// Thread-safety: rows are immutable after first use; safe from any thread.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace fsllm {

class ConfigReader;
struct ModelConfig;

// Checkpoint tensor names. Layer tensors are "<layerPrefix><N>.<suffix>"; the projections are
// stems that take ".weight" (and ".bias" where the options call for one).
struct TensorNames {
    std::string embedding = "model.embed_tokens.weight"; // [V, D]
    std::string layerPrefix = "model.layers.";
    std::string finalNorm = "model.norm.weight";         // [D]
    std::string lmHead = "lm_head.weight";               // [V, D], absent when tied
    std::string inputNorm = "input_layernorm.weight";    // [D]
    std::string qProj = "self_attn.q_proj";              // [H*hd, D]
    std::string kProj = "self_attn.k_proj";              // [KV*hd, D]
    std::string vProj = "self_attn.v_proj";              // [KV*hd, D]
    std::string oProj = "self_attn.o_proj";              // [D, H*hd]
    std::string qNorm = "self_attn.q_norm.weight";       // [hd], with qkNorm only
    std::string kNorm = "self_attn.k_norm.weight";       // [hd], with qkNorm only
    std::string postAttentionNorm = "post_attention_layernorm.weight"; // [D]
    std::string gateProj = "mlp.gate_proj";              // [F, D]
    std::string upProj = "mlp.up_proj";                  // [F, D]
    std::string downProj = "mlp.down_proj";              // [D, F]
    // Fused projections (ChatGLM): when set, q/k/v are row blocks [q; k; v] of one tensor
    // "<fusedQkv>.weight" ([H*hd + 2*KV*hd, D], with ".bias" under qkvBias) and gate/up the
    // row blocks [gate; up] of "<fusedGateUp>.weight" ([2F, D]); qProj..upProj are then unused.
    // The decoder keeps separate projections (and LoRA adapters); the loader splits the rows.
    std::string fusedQkv;
    std::string fusedGateUp;

    // The Hugging Face LLaMA layout (LlamaForCausalLM), shared by mistral, qwen2 and qwen3.
    static TensorNames huggingFaceLlama() { return {}; }
    // The engine's own Decoder parameter names (the same layout without the "model." prefix);
    // PEFT adapter keys are built from these.
    static TensorNames decoderParameters();
};

// The config.json field behind each size, for messages ("field 'ffn_hidden_size': ...").
struct SizeFields {
    const char* layers = "num_hidden_layers";
    const char* hidden = "hidden_size";
    const char* inner = "intermediate_size";
    const char* heads = "num_attention_heads";
    const char* kvHeads = "num_key_value_heads";
    const char* headDim = "head_dim";
    const char* vocab = "vocab_size";
};

struct ModelFamily {
    std::string modelType;    // config.json "model_type", e.g. "qwen2"
    std::string architecture; // "architectures"[0] in configs the engine writes
    std::string summary;      // one line for `fsllm info`, the studio and the README
    TensorNames names;
    // Layer-relative tensor names that only this family has ("self_attn.q_norm.weight"): when a
    // checkpoint labelled as another family holds one, the error asks "is this a <family>
    // checkpoint?".
    std::vector<std::string> distinctiveTensors;
    // Name endings of checkpoint entries that are buffers, not weights ("rotary_emb.inv_freq",
    // recomputed from config.json); skipped without a message. Anything else unused is refused.
    std::vector<std::string> ignoredBuffers;
    // Reads the family's own config.json fields into `config` (after the common ones: sizes,
    // RoPE, token ids, dtype) and sets its fixed options. Errors through reader.fail().
    void (*readOptions)(const ConfigReader& reader, ModelConfig& config) = nullptr;
    // Writes those fields back (ModelConfig::toJsonText), so that readOptions reads them again.
    void (*writeOptions)(const ModelConfig& config, nlohmann::ordered_json& json) = nullptr;
    // A family whose config.json does not use the LLaMA field names (chatglm) reads and writes
    // ALL of it itself: when set, these replace the common fields and readOptions/writeOptions.
    void (*readConfig)(const ConfigReader& reader, ModelConfig& config) = nullptr;
    void (*writeConfig)(const ModelConfig& config, nlohmann::ordered_json& json) = nullptr;
    SizeFields fields;

    bool ignores(const std::string& tensorName) const;
};

} // namespace fsllm
