// The base tensors a config.json implies (names from the family's row in
// model/families/familytable.h, shapes from the sizes, which tensors from the family's options)
// and the check that a checkpoint's weights hold exactly those, run on the safetensors headers
// BEFORE any module is allocated: sizes from config.json (num_hidden_layers 2147483647,
// vocab_size 10^9) are refused by what the files really hold, not discovered by an allocation,
// and tensors the family does not use (a Qwen2 checkpoint's q/k/v biases under model_type llama)
// are refused by name rather than dropped. Torch-free.
// Thread-safety: pure functions.
#pragma once

#include "checkpointindex.h"
#include "modelconfig.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fsllm {

class CheckpointShapes {
public:
    struct Tensor {
        std::string name;                // "model.layers.0.self_attn.q_proj.weight"
        std::string parameter;           // the Decoder's parameter: "layers.0.self_attn.q_proj.weight"
        std::vector<std::int64_t> shape; // of the checkpoint tensor: [H * hd, D]
        std::vector<const char*> fields; // the config.json field behind each dimension
        // A fused checkpoint tensor (chatglm's query_key_value: [q; k; v] rows) fills several
        // parameters: this one is rows [rowOffset, rowOffset + rows) of it; rows -1 = all.
        std::int64_t rowOffset = 0;
        std::int64_t rows = -1;

        bool fused() const { return rows >= 0; }
        std::vector<std::int64_t> parameterShape() const; // shape with rows in dimension 0
        std::int64_t parameterNumel() const;
    };

    // Every base tensor of the decoder built from `config`, in the decoder's parameter order
    // (the names WeightLoader maps to); a fused checkpoint tensor appears once per parameter it
    // fills, in row order. Call only after check(): the list has one entry per
    // layer and config.json's layer count is not trusted before that.
    static std::vector<Tensor> expected(const ModelConfig& config);

    // Throws FsllmError("<configPath>: field '<name>': ...") when config.json disagrees with
    // the tensors in `checkpoint` (layer count first, then every implied shape),
    // FsllmError("<dir>: tensor '<name>' is missing; ...") when an implied tensor is absent, and
    // FsllmError("<dir>: N tensor(s) that a <family> model does not use: <names>; <likely
    // cause>") when the checkpoint holds tensors beyond those (the family's ignored buffers
    // such as rotary inv_freq excepted).
    static void check(const ModelConfig& config, const CheckpointIndex& checkpoint,
                      const std::string& configPath);

    // Checkpoint tensors that are neither expected(config) nor an ignored buffer of the family,
    // sorted. check() refuses a checkpoint with any.
    static std::vector<std::string> unexpected(const ModelConfig& config,
                                               const CheckpointIndex& checkpoint);

    // How many decoder layers the checkpoint holds: 1 + the largest N of "<layerPrefix>N.*"
    // ("model.layers.N.*" in the Hugging Face LLaMA layout).
    static std::int64_t layerCount(const CheckpointIndex& checkpoint,
                                   const std::string& layerPrefix = "model.layers.");
};

} // namespace fsllm
