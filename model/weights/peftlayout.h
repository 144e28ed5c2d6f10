// How the decoder's LoRA layers appear in a PEFT adapter file for the model's family: the keys
// ("base_model.model.<layer prefix><N>.<module>.lora_A.weight") and target_modules names come
// from the family's tensor names (model/families/), so an adapter loads with PEFT onto the
// Hugging Face model it was trained on. Families that fuse projections (chatglm's
// query_key_value = [q; k; v] and dense_h_to_4h = [gate; up]) get one PEFT module per fused
// tensor, while the engine keeps one LoRA per projection:
//   - save (blockForm): A = [A_q; A_k; A_v] ([k*r, in]) and B = the block-diagonal
//     [[B_q, 0, 0], [0, B_k, 0], [0, 0, B_v]] ([q + 2kv, k*r]), so B A = [B_q A_q; B_k A_k;
//     B_v A_v] exactly; rank_pattern gives that module rank k*r and alpha_pattern keeps the
//     scaling alpha / r;
//   - load (assign): that block form back, or an adapter PEFT trained on the fused module
//     (rank r, one shared A): each projection gets A and its rows of B, again exact.
// A fused group is targeted whole or not at all (checkTargets).
// Thread-safety: call from the thread that owns the decoder.
#pragma once

#include "decoder.h"

#include <map>
#include <string>
#include <vector>

namespace fsllm {

class PeftLayout {
public:
    struct Part {
        LoraLinear module;
        std::int64_t rowOffset = 0; // its rows in the fused tensor
    };
    // One PEFT module: a key stem and the engine LoRA layers behind it, in row order.
    struct Module {
        std::string key;       // "base_model.model.model.layers.0.self_attn.q_proj"
        std::string target;    // its target_modules name: "q_proj", "query_key_value"
        std::int64_t rows = 0; // output rows of the (fused) tensor
        std::vector<Part> parts;
    };

    // The decoder's LoRA layers grouped as the family's PEFT modules.
    static std::vector<Module> modules(DecoderImpl& decoder);
    // target_modules for `targets` ("q,k,v,o" -> q_proj, k_proj, ... or query_key_value, dense).
    static std::vector<std::string> targetNames(const ModelConfig& config,
                                                const LoraTargets& targets);
    // Throws FsllmError("LoRA targets: <family> fuses q, k and v into query_key_value; target
    // all three or none") when `targets` splits a fused group.
    static void checkTargets(const ModelConfig& config, const LoraTargets& targets);

    // A [rank, in] and B [rows, rank] as the file stores them (the block form when fused).
    static std::pair<torch::Tensor, torch::Tensor> fileWeights(const Module& module);
    // Copies a file's A [R, in] and B [rows, R] into the module's parts: R equal to the parts'
    // rank (one A, shared), or parts x rank in the block form. Throws FsllmError naming `where`
    // for another rank or a block form whose off-diagonal blocks are not zero.
    static void assign(const Module& module, const torch::Tensor& a, const torch::Tensor& b,
                       const std::string& where);
};

} // namespace fsllm
