// A Hugging Face checkpoint folder's weights: either one `model.safetensors`, or shards named by
// `model.safetensors.index.json` ({"weight_map": {"tensor": "model-00001-of-00002.safetensors"}}).
// Opens every file once (memory-mapped). Thread-safety: immutable after construction.
#pragma once

#include "safetensorsfile.h"

#include <memory>
#include <string>
#include <vector>

namespace fsllm {

class CheckpointIndex {
public:
    // Throws FsllmError naming the folder/file when there is no model.safetensors and no index,
    // the index is malformed, names a missing shard, or a shard lacks a tensor the index promises.
    explicit CheckpointIndex(const std::string& directory);
    ~CheckpointIndex();

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
