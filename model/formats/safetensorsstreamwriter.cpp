#include "safetensorsstreamwriter.h"

#include "atomicfile.h"
#include "fsllmerror.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <unistd.h>

namespace fsllm {

namespace {

constexpr std::size_t kHeaderAlignment = 8;

std::uint64_t tensorBytes(const std::string& path, const SafetensorsStreamWriter::Layout& t) {
    std::uint64_t bytes = dtypeSize(t.dtype);
    for (std::int64_t dim : t.shape) {
        if (dim < 0)
            throw FsllmError(path + ": tensor '" + t.name + "': negative dimension " +
                             std::to_string(dim) + "; dimensions must be >= 0");
        if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes))
            throw FsllmError(path + ": tensor '" + t.name + "': shape is too large to store");
    }
    return bytes;
}

} // namespace

SafetensorsStreamWriter::SafetensorsStreamWriter(
    const std::string& path, const std::vector<Layout>& tensors,
    const std::map<std::string, std::string>& metadata)
    : m_path(path), m_tempPath(path + ".tmp-" + std::to_string(::getpid())), m_layout(tensors) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::set<std::string> seen;
    std::uint64_t offset = 0;
    for (const Layout& tensor : m_layout) {
        if (tensor.name.empty() || tensor.name == "__metadata__" || !seen.insert(tensor.name).second)
            throw FsllmError(path + ": tensor name '" + tensor.name +
                             "' is empty, reserved or given twice; names must be unique");
        const std::uint64_t bytes = tensorBytes(path, tensor);
        header[tensor.name] = {{"dtype", dtypeName(tensor.dtype)},
                               {"shape", tensor.shape},
                               {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        m_bytes.push_back(bytes);
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {
        throw FsllmError(path + ": cannot write the safetensors header (" + e.what() +
                         "); tensor names and metadata must be valid UTF-8");
    }
    text.append((kHeaderAlignment - text.size() % kHeaderAlignment) % kHeaderAlignment, ' ');

    m_fd = ::open(m_tempPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (m_fd < 0)
        fail(std::string("cannot create (") + std::strerror(errno) + ")");
    unsigned char length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<unsigned char>((text.size() >> (8 * i)) & 0xff);
    writeAll(length, sizeof length);
    writeAll(text.data(), text.size());
}

SafetensorsStreamWriter::~SafetensorsStreamWriter() {
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_committed)
        std::remove(m_tempPath.c_str());
}

void SafetensorsStreamWriter::fail(const std::string& message) const {
    throw FsllmError(m_path + ": " + message);
}

void SafetensorsStreamWriter::writeAll(const void* data, std::size_t byteSize) {
    const auto* bytes = static_cast<const char*>(data);
    while (byteSize > 0) {
        const ssize_t written = ::write(m_fd, bytes, byteSize);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            fail(std::string("write failed (") + std::strerror(errno) +
                 "); check the free space of the disk");
        bytes += written;
        byteSize -= static_cast<std::size_t>(written);
    }
}

void SafetensorsStreamWriter::append(const std::string& name, const void* data,
                                     std::size_t byteSize) {
    if (m_next >= m_layout.size() || m_layout[m_next].name != name)
        fail("tensor '" + name + "' appended out of order" +
             (m_next < m_layout.size() ? "; the next one is '" + m_layout[m_next].name + "'"
                                       : std::string("; every tensor was already written")));
    if (byteSize != m_bytes[m_next] || (byteSize > 0 && data == nullptr))
        fail("tensor '" + name + "': " + std::to_string(byteSize) + " bytes given, its shape needs " +
             std::to_string(m_bytes[m_next]));
    writeAll(data, byteSize);
    ++m_next;
}

void SafetensorsStreamWriter::commit() {
    if (m_next != m_layout.size())
        fail(std::to_string(m_layout.size() - m_next) + " tensor(s) not written yet (next: '" +
             m_layout[m_next].name + "')");
    if (::fsync(m_fd) != 0)
        fail(std::string("fsync failed (") + std::strerror(errno) + ")");
    ::close(m_fd);
    m_fd = -1;
    if (std::rename(m_tempPath.c_str(), m_path.c_str()) != 0)
        fail(std::string("cannot rename the finished file into place (") + std::strerror(errno) +
             ")");
    m_committed = true;
    AtomicFile::syncFolder(std::filesystem::path(m_path).parent_path().string());
}

} // namespace fsllm
