// Moves base weights between a Decoder and Hugging Face checkpoint files. Which checkpoint tensor
// fills which decoder parameter comes from CheckpointShapes::expected (the family's row in
// model/families/familytable.h): every tensor the config implies must be present with the implied
// shape, and a checkpoint tensor the family does not use is an error, never dropped (buffers the
// family lists as ignored, such as rotary inv_freq, excepted).
// Thread-safety: call from one thread per decoder.
#pragma once

#include "checkpointindex.h"
#include "decoder.h"

#include <string>

namespace fsllm {

class WeightLoader {
public:
    // Copies every base parameter from `checkpoint` (converted to the decoder's dtype and device).
    // Throws FsllmError naming the folder and tensor for a missing tensor, a shape that
    // contradicts config.json, or tensors the family does not use (CheckpointShapes::check's
    // message).
    static void load(DecoderImpl& decoder, const CheckpointIndex& checkpoint);

    // Writes the base parameters (LoRA excluded) as a safetensors file under the family's
    // tensor names, in `dtype` (the decoder's own dtype when undefined).
    static void save(DecoderImpl& decoder, const std::string& safetensorsPath,
                     c10::optional<torch::ScalarType> dtype = c10::nullopt);
};

} // namespace fsllm
