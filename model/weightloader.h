// Moves base weights between a Decoder and Hugging Face checkpoint files: names map as
// "model." + decoder parameter name (the LM head is "lm_head.weight"). Every tensor the config
// implies must be present with the implied shape. Thread-safety: call from one thread per decoder.
#pragma once

#include "checkpointindex.h"
#include "decoder.h"

#include <string>
#include <vector>

namespace fsllm {

class WeightLoader {
public:
    // Copies every base parameter from `checkpoint` (converted to the decoder's dtype and device).
    // Throws FsllmError naming the folder and tensor for a missing tensor or a shape that
    // contradicts config.json. Returns the names of checkpoint tensors that were not used.
    static std::vector<std::string> load(DecoderImpl& decoder, const CheckpointIndex& checkpoint);

    // Writes the base parameters (LoRA excluded) as a safetensors file, in `dtype` (the
    // decoder's own dtype when undefined).
    static void save(DecoderImpl& decoder, const std::string& safetensorsPath,
                     c10::optional<torch::ScalarType> dtype = c10::nullopt);

    // The Hugging Face name of a decoder parameter ("norm.weight" -> "model.norm.weight").
    static std::string checkpointName(const std::string& parameterName);
};

} // namespace fsllm
