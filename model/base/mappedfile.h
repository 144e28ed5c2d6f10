// A whole file mapped read-only into memory (mmap), shared by whoever holds `owner`: the mapping
// goes when its last holder does, so tensors built on the bytes may outlive the reader that
// opened the file. The descriptor is closed at once. Torch-free.
// Thread-safety: immutable after open(); the bytes may be read from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace fsllm {

struct MappedFile {
    std::shared_ptr<const void> owner; // unmaps on destruction; null for an empty file
    const std::uint8_t* data = nullptr;
    std::size_t size = 0;

    // Throws FsllmError("<path>: cannot open (<reason>); ...") for a missing or unreadable file,
    // FsllmError("<path>: is not a regular file; give <what>") for a folder or device, and
    // FsllmError("<path>: cannot memory-map (<reason>)"). An empty file maps to size 0.
    static MappedFile open(const std::string& path, const std::string& what);
};

} // namespace fsllm
