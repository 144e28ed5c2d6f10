// The architecture of a LLaMA-family checkpoint, read from Hugging Face `config.json`.
// Accepted `model_type`s: "llama", "mistral"; others are refused with a clear message.
// Plain value type; thread-safe to copy.
#pragma once

#include <string>

namespace fsllm {

struct ModelConfig {
    std::string modelType = "llama";
    int hiddenSize = 0;        // D
    int intermediateSize = 0;  // F (SwiGLU inner size)
    int numLayers = 0;         // num_hidden_layers
    int numHeads = 0;          // num_attention_heads (H)
    int numKvHeads = 0;        // num_key_value_heads (defaults to H)
    int headDim = 0;           // head_dim (defaults to D / H)
    int vocabSize = 0;
    int maxPositionEmbeddings = 2048;
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    double ropeScalingFactor = 1.0; // rope_scaling {"type"|"rope_type": "linear", "factor": f}
    bool tieWordEmbeddings = false;
    bool attentionBias = false;     // "attention_bias" (q/k/v/o biases)
    int bosTokenId = 1;
    int eosTokenId = 2;
    int padTokenId = -1;            // -1 when absent/null
    std::string torchDtype = "float32";

    // Parses and validates (every size positive, H divisible by KV heads, head_dim even, only
    // "linear" rope scaling). Throws FsllmError("<path>: field '<name>': <problem>").
    static ModelConfig fromFile(const std::string& path);
    // A LLaMA-shaped config from sizes (head_dim = hidden / heads; intermediate 0 -> 8/3 * hidden
    // rounded up to a multiple of 16; eps 1e-5). Throws FsllmError("<who>: ...") when a size is
    // not positive, hidden is not a multiple of heads with an even head size, or heads not a
    // multiple of kv-heads.
    static ModelConfig llamaShaped(const std::string& who, int layers, int hidden, int heads,
                                   int kvHeads, int intermediate, int vocab);
    static ModelConfig fromJsonText(const std::string& text, const std::string& sourceName);
    // Serialises to Hugging Face config.json text (architectures ["LlamaForCausalLM"]).
    std::string toJsonText() const;
};

} // namespace fsllm
