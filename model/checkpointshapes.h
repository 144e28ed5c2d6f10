// The base tensors a config.json implies (Hugging Face names and shapes) and the check that a
// checkpoint's weights hold exactly those, run on the safetensors headers BEFORE any module is
// allocated: sizes from config.json (num_hidden_layers 2147483647, vocab_size 10^9) are refused
// by what the files really hold, not discovered by an allocation. Torch-free.
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
        std::vector<std::int64_t> shape; // [H * hd, D]
        std::vector<const char*> fields; // the config.json field behind each dimension
    };

    // Every base tensor of the decoder built from `config`, in the decoder's parameter order
    // (the names WeightLoader maps to). Call only after check(): the list has one entry per
    // layer and config.json's layer count is not trusted before that.
    static std::vector<Tensor> expected(const ModelConfig& config);

    // Throws FsllmError("<configPath>: field '<name>': ...") when config.json disagrees with
    // the tensors in `checkpoint` (layer count first, then every implied shape), and
    // FsllmError("<dir>: tensor '<name>' is missing; ...") when an implied tensor is absent.
    static void check(const ModelConfig& config, const CheckpointIndex& checkpoint,
                      const std::string& configPath);

    // How many decoder layers the checkpoint holds: 1 + the largest N of "model.layers.N.*".
    static std::int64_t layerCount(const CheckpointIndex& checkpoint);
};

} // namespace fsllm
