// safetensors writer (see safetensorswriter.h): compact JSON header padded with spaces to a
// multiple of 8 bytes, u64 little-endian length, then the tensors' bytes in name order.
// Not thread-safe; one writer per thread.
#include "safetensorswriter.h"

#include "atomicfile.h"
#include "fsllmerror.h"

#include <nlohmann/json.hpp>

#include <cstring>

namespace fsllm {

namespace {

constexpr std::size_t kHeaderAlignment = 8;

// numel(shape) * dtypeSize; throws on negative dimensions or overflow.
std::uint64_t expectedBytes(const std::string& name, DType dtype,
                            const std::vector<std::int64_t>& shape) {
    std::uint64_t bytes = dtypeSize(dtype);
    for (std::int64_t dim : shape) {
        if (dim < 0)
            throw FsllmError("SafetensorsWriter: tensor '" + name + "': negative dimension " +
                             std::to_string(dim) + " in its shape; dimensions must be >= 0");
        if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes))
            throw FsllmError("SafetensorsWriter: tensor '" + name +
                             "': shape is too large to store");
    }
    return bytes;
}

void appendLittleEndian64(std::string& out, std::uint64_t value) {
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

} // namespace

void SafetensorsWriter::add(const std::string& name, DType dtype,
                            const std::vector<std::int64_t>& shape, const void* data,
                            std::size_t byteSize) {
    if (name.empty())
        throw FsllmError("SafetensorsWriter: empty tensor name; give every tensor a name");
    if (name == "__metadata__")
        throw FsllmError("SafetensorsWriter: '__metadata__' is reserved for the file's metadata; "
                         "rename the tensor");
    if (m_entries.count(name))
        throw FsllmError("SafetensorsWriter: tensor '" + name +
                         "' added twice; tensor names must be unique");
    const std::uint64_t expected = expectedBytes(name, dtype, shape);
    if (byteSize != expected)
        throw FsllmError("SafetensorsWriter: tensor '" + name + "': " + std::to_string(byteSize) +
                         " bytes given but its shape of " + dtypeName(dtype) + " needs " +
                         std::to_string(expected) + " (size mismatch)");
    if (byteSize > 0 && data == nullptr)
        throw FsllmError("SafetensorsWriter: tensor '" + name + "': null data pointer");

    Entry entry{dtype, shape, std::vector<std::uint8_t>(byteSize)};
    if (byteSize > 0)
        std::memcpy(entry.bytes.data(), data, byteSize);
    m_entries.emplace(name, std::move(entry));
}

void SafetensorsWriter::setMetadata(const std::string& key, const std::string& value) {
    m_metadata[key] = value;
}

void SafetensorsWriter::write(const std::string& path) const {
    // ordered_json keeps "__metadata__" first and the tensors in name (= offset) order.
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!m_metadata.empty())
        header["__metadata__"] = m_metadata;
    std::uint64_t offset = 0;
    for (const auto& [name, entry] : m_entries) {
        const std::uint64_t end = offset + entry.bytes.size();
        header[name] = {{"dtype", dtypeName(entry.dtype)},
                        {"shape", entry.shape},
                        {"data_offsets", {offset, end}}};
        offset = end;
    }

    std::string headerText;
    try {
        headerText = header.dump();
    } catch (const nlohmann::json::exception& e) { // e.g. a name that is not valid UTF-8
        throw FsllmError(path + ": cannot write the safetensors header (" + e.what() +
                         "); tensor names and metadata must be valid UTF-8");
    }
    const std::size_t padding =
        (kHeaderAlignment - headerText.size() % kHeaderAlignment) % kHeaderAlignment;
    headerText.append(padding, ' ');

    std::string bytes;
    bytes.reserve(8 + headerText.size() + offset);
    appendLittleEndian64(bytes, headerText.size());
    bytes += headerText;
    for (const auto& item : m_entries)
        bytes.append(reinterpret_cast<const char*>(item.second.bytes.data()),
                     item.second.bytes.size());
    AtomicFile::write(path, bytes);
}

} // namespace fsllm
