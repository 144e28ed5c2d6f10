// The LLaMA-family decoder (Hugging Face LlamaModel + optional LM head) with the FS-LLMs mask
// modes. Parameter names follow Hugging Face without the "model." prefix ("embed_tokens.weight",
// "layers.0.self_attn.q_proj.weight", "norm.weight"); the LM head is "lm_head.weight" when untied.
// Inputs are right-padded; positions run 0..T-1 in every row, so a padded row gives the same
// numbers as the sentence alone. Thread-safety: forward is safe concurrently in eval mode.
#pragma once

#include "decoderlayer.h"
#include "maskspec.h"
#include "modelconfig.h"
#include "rmsnorm.h"
#include "rotaryembedding.h"
#include "tokenembedding.h"

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace fsllm {

struct DecoderOutput {
    torch::Tensor hidden;                 // [B, T, D] after the final norm, compute dtype
    torch::Tensor logits;                 // [B, T, V] f32; undefined unless asked for
    std::vector<torch::Tensor> attention; // per layer [B, H, T, T] f32; empty unless asked for
};

struct ForwardOptions {
    MaskSpec mask;
    bool wantAttention = false;
    bool wantLogits = false;
    // Activation checkpointing (LayerRecompute): when autograd records, keep only each layer's
    // input and recompute the layer in backward. Ignored without grad mode or with wantAttention.
    bool recomputeLayers = false;
    // Polled before each decoder layer (may be empty); when it returns true the forward throws
    // Cancelled. For inference that must stop promptly (a window closing over a 7B model).
    std::function<bool()> stop;
    // One mask per batch row (size B), in place of `mask`: row b is computed under rowMasks[b],
    // so that several masks of one sentence cost one batched forward pass. Empty: every row
    // uses `mask`.
    std::vector<MaskSpec> rowMasks;
};

// Which projections receive LoRA adapters ("q", "k", "v", "o", "gate", "up", "down").
struct LoraTargets {
    std::vector<std::string> modules = {"q", "k", "v", "o"};
    // Parses "q,k,v,o" (also PEFT's "q_proj", ... and ChatGLM's "query_key_value" = q,k,v,
    // "dense" = o, "dense_h_to_4h" = gate,up, "dense_4h_to_h" = down); throws FsllmError naming
    // an unknown entry.
    static LoraTargets parse(const std::string& commaSeparated);
    std::string join() const;
};

class DecoderImpl : public torch::nn::Module {
public:
    DecoderImpl(const ModelConfig& config, const torch::TensorOptions& options);

    // ids: [B, T] int64 right-padded; lengths: [B] int64 real-token counts (1..T).
    DecoderOutput forward(const torch::Tensor& ids, const torch::Tensor& lengths,
                          const ForwardOptions& options);
    // The same from token embeddings [B, T, D] (compute dtype, on device()) instead of ids, so a
    // caller can differentiate with respect to them (token attribution, model/training/tokenattribution.h).
    DecoderOutput forwardEmbeddings(const torch::Tensor& embeddings, const torch::Tensor& lengths,
                                    const ForwardOptions& options);

    // Adds LoRA adapters to the named projections of every layer.
    void enableLora(const LoraSettings& settings, const LoraTargets& targets);
    // Folds every adapter into its base weight (inference).
    void mergeLora();
    // The LoRA layers by their Hugging Face module path, e.g. "layers.0.self_attn.q_proj".
    std::vector<std::pair<std::string, LoraLinear>> loraLayers();

    // [B, T, D] -> [B, T, V] f32 through the LM head (tied to embed_tokens when configured).
    torch::Tensor lmLogits(const torch::Tensor& hidden);

    const ModelConfig& config() const { return m_config; }
    torch::ScalarType dtype() const { return embedTokens->weight.scalar_type(); }
    torch::Device device() const { return embedTokens->weight.device(); }

    TokenEmbedding embedTokens{nullptr};
    torch::nn::ModuleList layers{nullptr};
    RmsNorm norm{nullptr};
    TokenEmbedding lmHead{nullptr}; // weight [V, D]; null when tied to embed_tokens

private:
    // The additive biases [B, 1, T, T] f32 of one layer: all keys, and for sliding-window layers
    // (Mistral, Qwen) the windowed one (the same tensor when the window is not shorter than T).
    struct Biases {
        torch::Tensor full, window;
    };
    // The biases of every layer for rows under `masks` (one per row; lengths [B]).
    std::vector<Biases> biasesPerLayer(const std::vector<MaskSpec>& masks,
                                       const torch::Tensor& lengths, int64_t T) const;

    ModelConfig m_config;
    RotaryEmbedding m_rope;
};
TORCH_MODULE(Decoder);

} // namespace fsllm
