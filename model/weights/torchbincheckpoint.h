// PyTorch `pytorch_model.bin` checkpoints (torch.save's zip format, PyTorch >= 1.6): one file, or
// shards listed by `pytorch_model.bin.index.json` ({"weight_map": {tensor: shard}}), as
// transformers writes them (ChatGLM2-6B ships seven). Read with LibTorch's own zip reader
// (caffe2::serialize::PyTorchStreamReader) and unpickler (torch::jit::Unpickler), never Python:
// - the unpickler knows collections.OrderedDict only as a tensor's (empty) backward hooks and
//   turns it into None, and lacks SETITEM, so before unpickling each OrderedDict() becomes a
//   plain dict, the `_metadata` attribute state dicts carry is removed and single-item SETITEMs
//   become SETITEMS; PicklePatch does this, walking the pickle opcode by opcode;
// - tensor storages are not copied: each is a view of the read-only memory map of its file
//   (records are stored uncompressed), checked to lie inside the file.
// The result is the CheckpointIndex the safetensors path gives: same names, shapes and dtypes.
// Thread-safety: pure functions.
#pragma once

#include "checkpointindex.h"

#include <memory>
#include <string>

namespace fsllm {

class TorchBinCheckpoint {
public:
    // Whether `directory` holds pytorch_model.bin or pytorch_model.bin.index.json.
    static bool holdsBinWeights(const std::string& directory);

    // Every tensor of the folder's .bin weights (the index's tensors, when sharded). Throws
    // FsllmError naming the file for a missing shard, a Git LFS pointer or HTML page, a legacy
    // (pre-1.6, non-zip) file, a pickle that is not a {name: tensor} dict, a tensor whose dtype
    // is not float32/float16/bfloat16 or whose bytes lie outside the file, and a tensor the
    // index maps to a shard that lacks it.
    static std::unique_ptr<CheckpointIndex> open(const std::string& directory);
};

} // namespace fsllm
