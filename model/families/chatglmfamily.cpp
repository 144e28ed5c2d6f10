// chatglm: ChatGLM2-6B and ChatGLM3-6B (THUDM's ChatGLMModel, model_type "chatglm"). The same
// computation as a LLaMA decoder (pre-RMSNorm, SwiGLU, grouped-query attention, RoPE) in its own
// layout:
// - config.json uses Megatron-style names (num_layers, ffn_hidden_size, kv_channels,
//   multi_query_group_num, padded_vocab_size, seq_length, layernorm_epsilon), so this family
//   reads and writes the whole file itself (readConfig / writeConfig);
// - q, k and v are one fused `query_key_value` projection with a bias (add_qkv_bias), gate and up
//   one `dense_h_to_4h` projection (gate rows first, as its swiglu's chunk(2) takes them);
// - RoPE rotates only the first half of each head (kv_channels / 2 dimensions) in adjacent pairs,
//   with base 10000 * rope_ratio;
// - no BOS: its tokenizer puts "[gMASK]" "sop" first (tokenizer/chatglmbackend.h).
// Variants this engine does not compute (LayerNorm instead of RMSNorm, post-layernorm residuals,
// linear biases, the non-original RoPE, quantized or P-tuning checkpoints) are refused by field.
#include "configreader.h"
#include "modelconfig.h"
#include "modelfamily.h"

#include <string>

namespace fsllm {

namespace {

// A bool field that must have one value for this engine to compute the model.
void requireFlag(const ConfigReader& reader, const char* key, bool fallback, bool required,
                 const char* why) {
    if (reader.optionalBool(key, fallback) != required)
        reader.fail(key, std::string(required ? "false" : "true") + " is not supported: " + why);
}

void readConfig(const ConfigReader& reader, ModelConfig& config) {
    config.hiddenSize = reader.requiredPositive("hidden_size");
    config.intermediateSize = reader.requiredPositive("ffn_hidden_size");
    config.numLayers = reader.requiredPositive("num_layers");
    config.numHeads = reader.requiredPositive("num_attention_heads");
    config.vocabSize = reader.requiredPositive("padded_vocab_size");
    config.maxPositionEmbeddings = reader.optionalPositive("seq_length", 2048);
    // ChatGLMConfig's defaults where a field is absent.
    config.headDim = reader.optionalPositive("kv_channels", 128);
    config.numKvHeads = reader.optionalBool("multi_query_attention", false)
                            ? reader.optionalPositive("multi_query_group_num", 1)
                            : config.numHeads;
    if (config.numHeads % config.numKvHeads != 0)
        reader.fail("multi_query_group_num", "num_attention_heads (" +
                                                 std::to_string(config.numHeads) +
                                                 ") is not divisible by multi_query_group_num (" +
                                                 std::to_string(config.numKvHeads) + ")");
    if (config.headDim % 4 != 0)
        reader.fail("kv_channels", std::to_string(config.headDim) +
                                       " is not a multiple of 4; ChatGLM's rotary embedding "
                                       "turns kv_channels / 2 dimensions in pairs");
    config.rotaryDim = config.headDim / 2;
    config.ropeInterleaved = true;
    config.ropeTheta = 10000.0 * reader.optionalPositiveNumber("rope_ratio", 1.0);
    config.ropeType = "default";
    config.rmsNormEps = reader.optionalPositiveNumber("layernorm_epsilon", 1e-5);
    config.qkvBias = reader.optionalBool("add_qkv_bias", false);
    config.outputBias = false;
    config.qkNorm = false;
    config.slidingWindow = 0;
    config.fullAttentionLayers = 0;
    config.tieWordEmbeddings = false; // output_layer is its own tensor
    requireFlag(reader, "rmsnorm", true, true, "only the RMSNorm variant is computed");
    requireFlag(reader, "add_bias_linear", false, false,
                "dense / MLP biases are not computed; use a checkpoint without them");
    requireFlag(reader, "apply_residual_connection_post_layernorm", false, false,
                "only pre-norm residuals are computed");
    requireFlag(reader, "post_layer_norm", true, true, "the final RMSNorm is required");
    requireFlag(reader, "original_rope", true, true,
                "only ChatGLM's original rotary embedding is computed");
    const auto* bits = reader.find("quantization_bit");
    if (bits && reader.integer("quantization_bit", *bits) != 0)
        reader.fail("quantization_bit", "quantized checkpoints are not supported; use the "
                                        "float16 / bfloat16 weights");
    if (reader.find("pre_seq_len"))
        reader.fail("pre_seq_len", "P-tuning prefix checkpoints are not supported; set it to "
                                   "null and use the base weights");
    config.bosTokenId = reader.optionalTokenId("bos_token_id", 1);
    config.eosTokenId = reader.optionalTokenId("eos_token_id", 2);
    config.padTokenId = reader.optionalTokenId("pad_token_id", -1);
    config.torchDtype = reader.torchDtype();
}

void writeConfig(const ModelConfig& config, nlohmann::ordered_json& json) {
    json["num_layers"] = config.numLayers;
    json["hidden_size"] = config.hiddenSize;
    json["ffn_hidden_size"] = config.intermediateSize;
    json["num_attention_heads"] = config.numHeads;
    json["kv_channels"] = config.headDim;
    json["multi_query_attention"] = config.numKvHeads != config.numHeads;
    json["multi_query_group_num"] = config.numKvHeads;
    json["padded_vocab_size"] = config.vocabSize;
    json["seq_length"] = config.maxPositionEmbeddings;
    json["layernorm_epsilon"] = config.rmsNormEps;
    json["rope_ratio"] = config.ropeTheta / 10000.0;
    json["rmsnorm"] = true;
    json["add_qkv_bias"] = config.qkvBias;
    json["add_bias_linear"] = false;
    json["apply_residual_connection_post_layernorm"] = false;
    json["post_layer_norm"] = true;
    json["original_rope"] = true;
    json["bos_token_id"] = config.bosTokenId;
    json["eos_token_id"] = config.eosTokenId;
    json["pad_token_id"] = config.padTokenId < 0 ? nlohmann::ordered_json(nullptr)
                                                 : nlohmann::ordered_json(config.padTokenId);
    json["torch_dtype"] = config.torchDtype;
}

TensorNames chatglmNames() {
    TensorNames names;
    names.embedding = "transformer.embedding.word_embeddings.weight";
    names.layerPrefix = "transformer.encoder.layers.";
    names.finalNorm = "transformer.encoder.final_layernorm.weight";
    names.lmHead = "transformer.output_layer.weight";
    names.inputNorm = "input_layernorm.weight";
    names.oProj = "self_attention.dense";
    names.postAttentionNorm = "post_attention_layernorm.weight";
    names.downProj = "mlp.dense_4h_to_h";
    names.fusedQkv = "self_attention.query_key_value";
    names.fusedGateUp = "mlp.dense_h_to_4h";
    return names;
}

} // namespace

const ModelFamily& chatglmFamily() {
    static const ModelFamily family = [] {
        ModelFamily row{
            "chatglm",
            "ChatGLMModel",
            "ChatGLM2/3 decoder (fused q/k/v with bias, multi-query attention, RoPE on half of "
            "each head in pairs)",
            chatglmNames(),
            {"self_attention.query_key_value.weight"},
            {"rotary_pos_emb.inv_freq"},
            nullptr,
            nullptr,
            readConfig,
            writeConfig,
            {},
        };
        row.fields.layers = "num_layers";
        row.fields.inner = "ffn_hidden_size";
        row.fields.kvHeads = "multi_query_group_num";
        row.fields.headDim = "kv_channels";
        row.fields.vocab = "padded_vocab_size";
        return row;
    }();
    return family;
}

} // namespace fsllm
