// Writes a safetensors file whose tensors are too big to hold together in memory: the layout
// (names, dtypes, shapes) is fixed first, the header is written, then each tensor's bytes are
// appended in layout order, one at a time. The file appears under its name only on commit()
// (temp file, fsync, rename); a writer destroyed before commit() removes its temp file.
// Same layout rules as SafetensorsWriter (header padded to 8 bytes, contiguous offsets).
// Not thread-safe; one writer per thread.
#pragma once

#include "safetensorsfile.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fsllm {

class SafetensorsStreamWriter {
public:
    struct Layout {
        std::string name;
        DType dtype = DType::F32;
        std::vector<std::int64_t> shape;
    };

    // Opens "<path>.tmp-<pid>" and writes the header. Throws FsllmError naming the path when
    // the file cannot be created, or naming the tensor for an empty, reserved or duplicate name
    // or a negative or overflowing shape.
    SafetensorsStreamWriter(const std::string& path, const std::vector<Layout>& tensors,
                            const std::map<std::string, std::string>& metadata = {});
    ~SafetensorsStreamWriter();
    SafetensorsStreamWriter(const SafetensorsStreamWriter&) = delete;
    SafetensorsStreamWriter& operator=(const SafetensorsStreamWriter&) = delete;

    // The next tensor's bytes; `name` must be the next one of the layout and `byteSize` its
    // numel x dtype size (FsllmError otherwise, or on a failed write, e.g. a full disk).
    void append(const std::string& name, const void* data, std::size_t byteSize);
    // Every tensor appended: fsync, rename over `path`, fsync the folder.
    void commit();

private:
    std::string m_path;
    std::string m_tempPath;
    int m_fd = -1;
    std::vector<Layout> m_layout;
    std::vector<std::uint64_t> m_bytes; // per tensor
    std::size_t m_next = 0;
    bool m_committed = false;

    [[noreturn]] void fail(const std::string& message) const;
    void writeAll(const void* data, std::size_t byteSize);
};

} // namespace fsllm
