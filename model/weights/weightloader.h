// Moves base weights between a Decoder and Hugging Face checkpoint files. Which checkpoint tensor
// fills which decoder parameter comes from CheckpointShapes::expected (the family's row in
// model/families/familytable.h): every tensor the config implies must be present with the implied
// shape, and a checkpoint tensor the family does not use is an error, never dropped (buffers the
// family lists as ignored, such as rotary inv_freq, excepted).
// Thread-safety: call from one thread per decoder.
#pragma once

#include "checkpointindex.h"
#include "decoder.h"
#include "loadprogress.h"

#include <string>

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
    // converted into new memory, one at a time; then the converted q, k, v (and gate, up) of a
    // layer are copied side by side into one buffer for the fused matmul. Parameters get new storage either way (never
    // written in place), so base weights must not be modified in place afterwards.
    // Throws FsllmError naming the folder and tensor for a missing tensor, a shape that
    // contradicts config.json, or tensors the family does not use (CheckpointShapes::check's
    // message). `progress` (may be empty) is called before the first tensor and after each;
    // when it returns false the load stops with LoadCancelled (the decoder is then unusable).
    static void load(DecoderImpl& decoder, const CheckpointIndex& checkpoint,
                     WeightLoadStats* stats = nullptr, const LoadProgress& progress = {});

    // Writes the base parameters (LoRA excluded) as a safetensors file under the family's
    // tensor names, in `dtype` (the decoder's own dtype when undefined).
    static void save(DecoderImpl& decoder, const std::string& safetensorsPath,
                     c10::optional<torch::ScalarType> dtype = c10::nullopt);
};

} // namespace fsllm
