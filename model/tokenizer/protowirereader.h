// A minimal protobuf wire-format reader: varints, length-delimited fields and skipping, enough to
// read sentencepiece's ModelProto and SentencePieceText without protobuf headers (sentencepiece
// 0.1.97 installs none, and its bundled protobuf must stay hidden). Every read is bounds-checked.
// Thread-safety: one reader per thread; it only reads the bytes it was given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fsllm {

class ProtoWireReader {
public:
    // A field's number and wire type (0 varint, 1 fixed64, 2 length-delimited, 3/4 group
    // start/end, 5 fixed32).
    struct Key {
        std::uint64_t field = 0;
        unsigned wireType = 0;
    };

    explicit ProtoWireReader(std::string_view bytes) : m_bytes(bytes) {}

    bool atEnd() const { return m_pos >= m_bytes.size(); }

    // Each throws FsllmError("malformed protobuf: ...") on truncated or malformed input.
    std::uint64_t varint();
    Key key();
    std::string_view lengthDelimited();
    // Skips the value of a field with `key` (a whole group for wire type 3).
    void skip(const Key& key);

private:
    std::string_view take(std::size_t count);

    std::string_view m_bytes;
    std::size_t m_pos = 0;
};

} // namespace fsllm
