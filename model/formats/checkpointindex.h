// A Hugging Face checkpoint folder's weights: either one `model.safetensors`, or shards named by
// `model.safetensors.index.json` ({"weight_map": {"tensor": "model-00001-of-00002.safetensors"}}).
// Opens every file once (memory-mapped). PyTorch `pytorch_model.bin` checkpoints are read by the
// engine (weights/torchbincheckpoint.h), which hands their views to the second constructor.
// Thread-safety: immutable after construction.
#pragma once

#include "safetensorsfile.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fsllm {

class CheckpointIndex {
public:
    // Throws FsllmError naming the folder/file when there is no model.safetensors and no index,
    // the index is malformed, names a missing shard, or a shard lacks a tensor the index promises.
    explicit CheckpointIndex(const std::string& directory);
    // Tensors read elsewhere (each view keeps its own bytes alive through `mapping`); names must
    // be unique (FsllmError otherwise).
    CheckpointIndex(const std::string& directory, std::vector<TensorView> tensors);
    ~CheckpointIndex();

    // Whether `directory` holds model.safetensors or model.safetensors.index.json (which the
    // first constructor reads, and which win over .bin files as in transformers).
    static bool holdsSafetensors(const std::string& directory);
    // An index file's {"weight_map": {tensor: shard file}}, validated (shard names are plain file
    // names in the same folder). Throws FsllmError("<indexPath>: ...").
    static std::map<std::string, std::string> readWeightMap(const std::string& indexPath);

    bool contains(const std::string& name) const;
    // Throws FsllmError("<dir>: tensor '<name>' is missing from the checkpoint") when absent.
    const TensorView& tensor(const std::string& name) const;
    std::vector<std::string> names() const; // sorted
    const std::string& directory() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
