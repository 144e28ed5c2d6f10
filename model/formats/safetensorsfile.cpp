// Memory-mapped safetensors reader (see safetensorsfile.h). The header is validated as strictly as
// the reference implementation does: bounded length, JSON object, known dtypes, integer shapes,
// offsets that agree with shape x dtype size and tile the data section without gaps or overlaps.
// Thread-safety: immutable after the constructor returns.
#include "safetensorsfile.h"

#include "fsllmerror.h"
#include "jsontext.h"
#include "lfspointer.h"
#include "mappedfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

namespace fsllm {

namespace {

using Json = nlohmann::json;

constexpr const char* kMetadataKey = "__metadata__";
constexpr const char* kSupportedDtypes = "F32, F16 and BF16";
constexpr std::uint64_t kLengthFieldBytes = 8;
constexpr std::size_t kMaxQuotedName = 120;

// Other dtypes the safetensors format defines; named so the message can say "not supported"
// rather than "unknown".
const std::set<std::string>& otherSafetensorsDtypes() {
    static const std::set<std::string> names = {
        "BOOL", "U8",  "I8", "I16",     "U16",     "I32",     "U32",     "I64",    "U64",
        "F64",  "C64", "F4", "F6_E2M3", "F6_E3M2", "F8_E4M3", "F8_E5M2", "F8_E8M0"};
    return names;
}

// Quotes a name for a one-line message: control characters escaped, very long names shortened.
std::string quoteName(const std::string& name) {
    std::string out = "'";
    for (std::size_t i = 0; i < name.size() && i < kMaxQuotedName; ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x20 || c == 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (name.size() > kMaxQuotedName)
        out += "...";
    return out + "'";
}

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

std::string rangeText(std::uint64_t begin, std::uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// A JSON integer >= 0 (unsigned or signed "-0"); false for floats, negatives and non-numbers.
bool readNonNegative(const Json& value, std::uint64_t& out) {
    if (value.is_number_unsigned()) {
        out = value.get<std::uint64_t>();
        return true;
    }
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
        out = static_cast<std::uint64_t>(value.get<std::int64_t>());
        return true;
    }
    return false;
}

// One header entry before layout checks: offsets still relative to the data start.
struct Entry {
    TensorView view;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
};

// Parses and validates one file; every failure names the file (and tensor, where there is one).
class HeaderParser {
public:
    HeaderParser(const std::string& path, std::uint64_t dataBytes)
        : m_path(path), m_dataBytes(dataBytes) {}

    Json parseJson(const char* text, std::size_t size) const;
    Entry parseEntry(const std::string& name, const Json& value) const;
    std::map<std::string, std::string> parseMetadata(const Json& value) const;
    void checkLayout(std::vector<Entry*> entries) const;

    [[noreturn]] void fail(const std::string& message) const {
        throw FsllmError(m_path + ": " + message);
    }
    [[noreturn]] void failTensor(const std::string& name, const std::string& message) const {
        fail("tensor " + quoteName(name) + ": " + message);
    }

private:
    DType parseDtype(const std::string& name, const Json& entry) const;
    std::vector<std::int64_t> parseShape(const std::string& name, const Json& entry) const;
    void parseOffsets(const std::string& name, const Json& entry, Entry& out) const;
    const Json& field(const std::string& name, const Json& entry, const char* key) const;

    std::string m_path;
    std::uint64_t m_dataBytes;
};

Json HeaderParser::parseJson(const char* text, std::size_t size) const {
    std::string duplicate;
    std::set<std::string> seen;
    const auto noteKeys = [&](int depth, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::key && depth == 1 &&
            !seen.insert(parsed.get<std::string>()).second && duplicate.empty())
            duplicate = parsed.get<std::string>();
        return true;
    };
    const Json header =
        JsonText::parse(std::string_view(text, size), m_path + ": header",
                        "the file is corrupt or not a safetensors file, re-export it", noteKeys);
    if (!header.is_object())
        fail(std::string("header is a JSON ") + header.type_name() +
             ", not an object; the file is not a safetensors file, re-export it");
    if (!duplicate.empty())
        fail("header names " + quoteName(duplicate) + " twice; the file is corrupt, re-export it");
    return header;
}

const Json& HeaderParser::field(const std::string& name, const Json& entry, const char* key) const {
    const auto it = entry.find(key);
    if (it == entry.end())
        failTensor(name, std::string("missing '") + key +
                             "'; every tensor needs dtype, shape and data_offsets, re-export it");
    return *it;
}

DType HeaderParser::parseDtype(const std::string& name, const Json& entry) const {
    const Json& value = field(name, entry, "dtype");
    if (!value.is_string())
        failTensor(name, std::string("dtype is a JSON ") + value.type_name() +
                             ", not a string; supported dtypes are " + kSupportedDtypes);
    const std::string dtype = value.get<std::string>();
    if (dtype == "F32")
        return DType::F32;
    if (dtype == "F16")
        return DType::F16;
    if (dtype == "BF16")
        return DType::BF16;
    if (otherSafetensorsDtypes().count(dtype))
        failTensor(name, "dtype " + quoteName(dtype) + " is not supported (supported dtypes are " +
                             kSupportedDtypes + "); convert the checkpoint to one of them");
    failTensor(name,
               "unknown dtype " + quoteName(dtype) + "; supported dtypes are " + kSupportedDtypes);
}

std::vector<std::int64_t> HeaderParser::parseShape(const std::string& name,
                                                   const Json& entry) const {
    const Json& value = field(name, entry, "shape");
    if (!value.is_array())
        failTensor(name, std::string("shape is a JSON ") + value.type_name() +
                             ", not an array of non-negative integers; re-export the file");
    std::vector<std::int64_t> shape;
    for (const Json& dim : value) {
        std::uint64_t size = 0;
        if (!readNonNegative(dim, size) ||
            size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            failTensor(name, "shape " + JsonText::shown(value) +
                                 " is not an array of non-negative integers; re-export the file");
        shape.push_back(static_cast<std::int64_t>(size));
    }
    return shape;
}

void HeaderParser::parseOffsets(const std::string& name, const Json& entry, Entry& out) const {
    const Json& value = field(name, entry, "data_offsets");
    if (!value.is_array() || value.size() != 2 || !readNonNegative(value[0], out.begin) ||
        !readNonNegative(value[1], out.end))
        failTensor(name, "data_offsets " + JsonText::shown(value) +
                             " is not two non-negative integers [begin, end]; re-export the file");
    if (out.begin > out.end)
        failTensor(name, "data_offsets " + rangeText(out.begin, out.end) +
                             " begin after they end; the file is corrupt, re-export it");
    if (out.end > m_dataBytes)
        failTensor(name, "data_offsets " + rangeText(out.begin, out.end) +
                             " end beyond the data section (" + std::to_string(m_dataBytes) +
                             " bytes); the file is truncated, re-download or re-export it");
}

Entry HeaderParser::parseEntry(const std::string& name, const Json& value) const {
    if (!value.is_object())
        failTensor(name, std::string("entry is a JSON ") + value.type_name() +
                             ", not an object with dtype, shape and data_offsets; re-export it");
    Entry entry;
    entry.view.name = name;
    entry.view.dtype = parseDtype(name, value);
    entry.view.shape = parseShape(name, value);
    parseOffsets(name, value, entry);

    // numel * dtypeSize, refusing products that overflow (they cannot match any real file).
    std::uint64_t bytes = dtypeSize(entry.view.dtype);
    for (std::int64_t dim : entry.view.shape) {
        if (__builtin_mul_overflow(bytes, static_cast<std::uint64_t>(dim), &bytes))
            failTensor(name, "shape " + shapeText(entry.view.shape) +
                                 " is too large for any file; re-export it");
    }
    const std::uint64_t span = entry.end - entry.begin;
    if (span != bytes)
        failTensor(name, "data_offsets " + rangeText(entry.begin, entry.end) + " hold " +
                             std::to_string(span) + " bytes but shape " +
                             shapeText(entry.view.shape) + " of " + dtypeName(entry.view.dtype) +
                             " needs " + std::to_string(bytes) +
                             " (size mismatch); the file is corrupt, re-export it");
    entry.view.byteSize = static_cast<std::size_t>(span);
    return entry;
}

std::map<std::string, std::string> HeaderParser::parseMetadata(const Json& value) const {
    std::map<std::string, std::string> metadata;
    if (value.is_null()) // the reference reader treats null as "no metadata"
        return metadata;
    if (!value.is_object())
        fail(std::string("__metadata__ is a JSON ") + value.type_name() +
             ", not an object of string values; re-export the file");
    for (const auto& item : value.items()) {
        if (!item.value().is_string())
            fail("__metadata__ value for key " + quoteName(item.key()) + " is a JSON " +
                 item.value().type_name() + ", not a string; metadata values must be strings");
        metadata[item.key()] = item.value().get<std::string>();
    }
    return metadata;
}

// Tensors sorted by offsets must tile [0, dataBytes) exactly: no overlap, no gap, no tail.
void HeaderParser::checkLayout(std::vector<Entry*> entries) const {
    std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t covered = 0;
    const Entry* previous = nullptr;
    for (const Entry* entry : entries) {
        if (entry->begin < covered)
            failTensor(entry->view.name, "data_offsets " + rangeText(entry->begin, entry->end) +
                                             " overlap tensor " + quoteName(previous->view.name) +
                                             " " + rangeText(previous->begin, previous->end) +
                                             "; the file is corrupt, re-export it");
        if (entry->begin > covered)
            failTensor(entry->view.name, "data_offsets " + rangeText(entry->begin, entry->end) +
                                             " leave a gap of " +
                                             std::to_string(entry->begin - covered) +
                                             " bytes after offset " + std::to_string(covered) +
                                             "; tensors must be contiguous, re-export the file");
        covered = entry->end;
        previous = entry;
    }
    if (covered != m_dataBytes)
        fail("tensors cover " + std::to_string(covered) + " of the " + std::to_string(m_dataBytes) +
             " data bytes (a gap of " + std::to_string(m_dataBytes - covered) +
             " unused bytes at the end); the file is corrupt, re-export it");
}

} // namespace

DType dtypeFromName(const std::string& name) {
    if (name == "F32")
        return DType::F32;
    if (name == "F16")
        return DType::F16;
    if (name == "BF16")
        return DType::BF16;
    throw FsllmError("unsupported dtype " + quoteName(name) + "; supported dtypes are " +
                     kSupportedDtypes);
}

const char* dtypeName(DType dtype) {
    switch (dtype) {
    case DType::F32:
        return "F32";
    case DType::F16:
        return "F16";
    case DType::BF16:
        return "BF16";
    }
    return "?";
}

std::size_t dtypeSize(DType dtype) {
    switch (dtype) {
    case DType::F32:
        return 4;
    case DType::F16:
    case DType::BF16:
        return 2;
    }
    return 0;
}

std::int64_t TensorView::numel() const {
    std::int64_t count = 1;
    for (std::int64_t dim : shape)
        count *= dim;
    return count;
}

struct SafetensorsFile::Impl {
    std::string path;
    // The whole file, mapped read-only; shared with every TensorView (and the tensors built on
    // them) so that it outlives this object while any of them is in use.
    std::shared_ptr<const void> mappingOwner;
    const void* mapping = nullptr;
    std::size_t mappedBytes = 0;
    std::map<std::string, TensorView> tensors;
    std::map<std::string, std::string> metadata;

    [[noreturn]] void fail(const std::string& message) const {
        throw FsllmError(path + ": " + message);
    }
    void mapFile();
    void parse();
};

// Maps the whole file read-only (the mapping keeps the file). A Git LFS pointer saved in place of
// the file is refused before the header is read.
void SafetensorsFile::Impl::mapFile() {
    MappedFile file = MappedFile::open(path, "the path of a .safetensors file");
    mappedBytes = file.size;
    if (mappedBytes < kLengthFieldBytes)
        fail("file has " + std::to_string(mappedBytes) +
             " bytes, shorter than the 8-byte header length; the file is truncated or empty");
    mappingOwner = std::move(file.owner);
    mapping = file.data;
    LfsPointer::refuse(
        path,
        std::string_view(static_cast<const char*>(mapping), std::min<std::size_t>(mappedBytes, 64)),
        mappedBytes);
}

void SafetensorsFile::Impl::parse() {
    const auto* bytes = static_cast<const std::uint8_t*>(mapping);
    std::uint64_t headerBytes = 0;
    for (int i = 7; i >= 0; --i) // little-endian u64
        headerBytes = (headerBytes << 8) | bytes[i];
    if (headerBytes > kMaxHeaderBytes)
        fail("header length " + std::to_string(headerBytes) + " bytes exceeds the limit of " +
             std::to_string(kMaxHeaderBytes) +
             "; the file is corrupt or not a safetensors file, re-download or re-export it");
    const std::uint64_t available = mappedBytes - kLengthFieldBytes;
    if (headerBytes > available)
        fail("header length " + std::to_string(headerBytes) + " bytes runs past the end of the " +
             "file (" + std::to_string(available) +
             " bytes follow the length); the file is truncated, re-download or re-export it");

    const std::uint64_t dataStart = kLengthFieldBytes + headerBytes;
    HeaderParser parser(path, mappedBytes - dataStart);
    const Json header =
        parser.parseJson(reinterpret_cast<const char*>(bytes) + kLengthFieldBytes, headerBytes);

    std::vector<Entry> entries;
    entries.reserve(header.size());
    for (const auto& item : header.items()) {
        if (item.key() == kMetadataKey)
            metadata = parser.parseMetadata(item.value());
        else
            entries.push_back(parser.parseEntry(item.key(), item.value()));
    }
    std::vector<Entry*> pointers;
    for (Entry& entry : entries)
        pointers.push_back(&entry);
    parser.checkLayout(pointers);

    for (Entry& entry : entries) {
        entry.view.data = bytes + dataStart + entry.begin;
        entry.view.mapping = mappingOwner;
        tensors.emplace(entry.view.name, std::move(entry.view));
    }
}

SafetensorsFile::SafetensorsFile(const std::string& path) : m_impl(std::make_unique<Impl>()) {
    m_impl->path = path;
    m_impl->mapFile();
    m_impl->parse();
}

SafetensorsFile::~SafetensorsFile() = default;

const std::string& SafetensorsFile::path() const {
    return m_impl->path;
}

bool SafetensorsFile::contains(const std::string& name) const {
    return m_impl->tensors.count(name) > 0;
}

const TensorView& SafetensorsFile::tensor(const std::string& name) const {
    const auto it = m_impl->tensors.find(name);
    if (it == m_impl->tensors.end())
        m_impl->fail("tensor " + quoteName(name) + " is not in the file (it holds " +
                     std::to_string(m_impl->tensors.size()) +
                     " tensors); check the tensor name and the checkpoint");
    return it->second;
}

std::vector<std::string> SafetensorsFile::names() const {
    std::vector<std::string> result;
    result.reserve(m_impl->tensors.size());
    for (const auto& item : m_impl->tensors)
        result.push_back(item.first);
    return result;
}

const std::map<std::string, std::string>& SafetensorsFile::metadata() const {
    return m_impl->metadata;
}

} // namespace fsllm
