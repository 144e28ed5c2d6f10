// Read-only, memory-mapped safetensors file with a fully validated header.
// Format: u64 little-endian header length N, N bytes of JSON header
// {"name": {"dtype": "F32"|"F16"|"BF16", "shape": [..], "data_offsets": [begin, end]}, ...,
//  "__metadata__": {"k": "v"}}, then the data; offsets are relative to the data start, tensors are
// row-major, contiguous and non-overlapping, and together cover the whole data section.
// Thread-safety: immutable after open; const methods may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fsllm {

enum class DType { F32, F16, BF16 };

// "F32" -> DType::F32 etc.; throws FsllmError for any other name.
DType dtypeFromName(const std::string& name);
const char* dtypeName(DType dtype);
std::size_t dtypeSize(DType dtype);

// A view into the mapped file. `data` is valid while the SafetensorsFile lives, or longer while
// a copy of `mapping` is held (the mapping is unmapped when its last holder goes).
struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    const std::uint8_t* data = nullptr; // row-major bytes, not necessarily aligned
    std::size_t byteSize = 0;           // == numel * dtypeSize(dtype)
    std::shared_ptr<const void> mapping; // the read-only file mapping that holds `data`
    std::int64_t numel() const;
};

class SafetensorsFile {
public:
    // Headers above this size (100 MB, as in the reference implementation) are refused.
    static constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

    // Maps and validates `path`. Throws FsllmError("<path>: <what is wrong and what to fix>") for a
    // missing file, a truncated or lying header, bad JSON, unknown dtypes, negative or non-integer
    // shapes, offsets that are out of bounds, overlapping, leave gaps, or disagree with
    // shape x dtype size.
    explicit SafetensorsFile(const std::string& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::string& path() const;
    bool contains(const std::string& name) const;
    // Throws FsllmError naming the file and the tensor when absent.
    const TensorView& tensor(const std::string& name) const;
    std::vector<std::string> names() const; // sorted
    const std::map<std::string, std::string>& metadata() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
