// The architecture of a LLaMA-family checkpoint, read from Hugging Face `config.json`.
// `model_type` selects a row of the family table (model/families/familytable.h: llama, mistral,
// qwen2, qwen3); the common fields are read here, the family's own through its row. Other model
// types are refused with a message listing the supported ones.
// Plain value type; thread-safe to copy.
#pragma once

#include <string>

namespace fsllm {

struct ModelFamily;

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
    // rope_scaling (or transformers 5's rope_parameters): {"rope_type"|"type": ..., "factor": f}.
    // "default" (none), "linear" (positions / factor), "dynamic" (NTK-aware theta growth past
    // max_position_embeddings) or "llama3" (Hugging Face's
    // _compute_llama3_parameters: low frequencies / factor, high kept, a smooth ramp between).
    std::string ropeType = "default";
    double ropeScalingFactor = 1.0;
    double ropeLowFreqFactor = 1.0;   // llama3 "low_freq_factor"
    double ropeHighFreqFactor = 4.0;  // llama3 "high_freq_factor" (> low)
    int ropeOriginalMaxPositions = 0; // llama3 "original_max_position_embeddings"
    // Partial, interleaved RoPE (chatglm): only the first rotaryDim dimensions of each head
    // rotate (0 = all headDim), and they rotate in adjacent pairs (x[2i], x[2i+1]) instead of
    // Hugging Face's halves (x[i], x[i + hd/2]). Frequencies theta^(-2i/rotaryDim).
    int rotaryDim = 0;
    bool ropeInterleaved = false;
    bool tieWordEmbeddings = false;
    // Options the family sets from its own fields (model/families/):
    bool qkvBias = false;    // q_proj, k_proj, v_proj have biases (llama attention_bias; qwen2)
    bool outputBias = false; // o_proj has a bias (llama and qwen3 attention_bias)
    bool qkNorm = false;     // per-head RMSNorm of q and k (weights [head_dim]) before RoPE (qwen3)
    // Sliding-window attention (mistral sliding_window; qwen use_sliding_window): 0 = none, else
    // a query sees only keys closer than this many positions, |i - j| < slidingWindow, in every
    // mask mode (masking.h). Layers below fullAttentionLayers attend fully (qwen
    // max_window_layers); mistral slides in every layer (0).
    int slidingWindow = 0;
    int fullAttentionLayers = 0;
    int bosTokenId = 1;
    int eosTokenId = 2;
    int padTokenId = -1;            // -1 when absent/null
    std::string torchDtype = "float32";

    // Parses and validates (every size positive, H divisible by KV heads, head_dim even, a
    // supported model_type and rope type). Throws FsllmError("<path>: field '<name>': <problem>").
    static ModelConfig fromFile(const std::string& path);
    // A LLaMA-shaped config from sizes (head_dim = hidden / heads; intermediate 0 -> 8/3 * hidden
    // rounded up to a multiple of 16; eps 1e-5). Throws FsllmError("<who>: ...") when a size is
    // not positive, hidden is not a multiple of heads with an even head size, or heads not a
    // multiple of kv-heads.
    static ModelConfig llamaShaped(const std::string& who, int layers, int hidden, int heads,
                                   int kvHeads, int intermediate, int vocab);
    static ModelConfig fromJsonText(const std::string& text, const std::string& sourceName);
    // Serialises to Hugging Face config.json text (architectures from the family's row).
    std::string toJsonText() const;

    // This config's row of the family table (throws FsllmError for an unknown modelType).
    const ModelFamily& family() const;
    // Whether layer `layer` (0-based) uses the sliding window.
    bool slidesAt(int layer) const { return slidingWindow > 0 && layer >= fullAttentionLayers; }
    // The rotated dimensions per head: rotaryDim, or headDim when 0.
    int rotatedDims() const { return rotaryDim > 0 ? rotaryDim : headDim; }
    // The options in force, for people: "q/k/v bias, RoPE llama3 x8, sliding window 4096"
    // ("none" when the model is plain LLaMA).
    std::string describeOptions() const;
};

} // namespace fsllm
