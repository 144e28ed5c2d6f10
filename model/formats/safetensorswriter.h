// Builds a safetensors file in memory and writes it atomically (AtomicFile).
// Tensors are laid out in name order with contiguous offsets (as the reference writer does).
// Not thread-safe; one writer per thread.
#pragma once

#include "safetensorsfile.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fsllm {

class SafetensorsWriter {
public:
    // Copies `byteSize` bytes; throws FsllmError if byteSize != numel(shape) * dtypeSize(dtype)
    // or the name is empty, duplicated, or "__metadata__".
    void add(const std::string& name, DType dtype, const std::vector<std::int64_t>& shape,
             const void* data, std::size_t byteSize);
    void setMetadata(const std::string& key, const std::string& value);
    // Serialises header + data and writes them to `path` atomically.
    void write(const std::string& path) const;

private:
    struct Entry {
        DType dtype;
        std::vector<std::int64_t> shape;
        std::vector<std::uint8_t> bytes;
    };
    std::map<std::string, Entry> m_entries;
    std::map<std::string, std::string> m_metadata;
};

} // namespace fsllm
