// Moves base weights between a Decoder and Hugging Face checkpoint files: names map as
// "model." + decoder parameter name (the LM head is "lm_head.weight"). Every tensor the config
// implies must be present with the implied shape. Thread-safety: call from one thread per decoder.
#pragma once

#include "checkpointindex.h"
#include "decoder.h"

#include <string>
#include <vector>

namespace fsllm {

// What a load did with the checkpoint's bytes.
struct WeightLoadStats {
    std::int64_t sharedBytes = 0; // used in place from the read-only file mapping (no copy)
    std::int64_t copiedBytes = 0; // converted to another dtype or moved to another device
};

class WeightLoader {
public:
    // Gives every base parameter the checkpoint's values. Zero-copy where it can: on the CPU, a
    // tensor stored in the decoder's dtype becomes a view of the read-only file mapping (which
    // stays mapped while any parameter uses it, after `checkpoint` is gone); other tensors are
    // converted into new memory, one at a time. Parameters get new storage either way (never
    // written in place), so base weights must not be modified in place afterwards.
    // Throws FsllmError naming the folder and tensor for a missing tensor or a shape that
    // contradicts config.json. Returns the names of checkpoint tensors that were not used.
    static std::vector<std::string> load(DecoderImpl& decoder, const CheckpointIndex& checkpoint,
                                         WeightLoadStats* stats = nullptr);

    // Writes the base parameters (LoRA excluded) as a safetensors file, in `dtype` (the
    // decoder's own dtype when undefined).
    static void save(DecoderImpl& decoder, const std::string& safetensorsPath,
                     c10::optional<torch::ScalarType> dtype = c10::nullopt);

    // The Hugging Face name of a decoder parameter ("norm.weight" -> "model.norm.weight").
    static std::string checkpointName(const std::string& parameterName);
};

} // namespace fsllm
