// Protobuf wire-format reading (see protowirereader.h).
// Thread-safety: one reader per thread.
#include "protowirereader.h"

#include "fsllmerror.h"

namespace fsllm {

std::uint64_t ProtoWireReader::varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        const auto byte = static_cast<unsigned char>(take(1)[0]);
        value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0)
            return value;
    }
    throw FsllmError("malformed protobuf: a varint longer than 10 bytes");
}

ProtoWireReader::Key ProtoWireReader::key() {
    const std::uint64_t raw = varint();
    Key key;
    key.field = raw >> 3;
    key.wireType = static_cast<unsigned>(raw & 7);
    if (key.field == 0)
        throw FsllmError("malformed protobuf: field number 0");
    return key;
}

std::string_view ProtoWireReader::lengthDelimited() {
    const std::uint64_t length = varint();
    if (length > m_bytes.size() - m_pos)
        throw FsllmError("malformed protobuf: a field runs past the end of the data");
    return take(static_cast<std::size_t>(length));
}

void ProtoWireReader::skip(const Key& first) {
    // Groups nest; an explicit count of open groups keeps this free of recursion.
    std::size_t openGroups = 0;
    Key current = first;
    for (;;) {
        switch (current.wireType) {
        case 0:
            varint();
            break;
        case 1:
            take(8);
            break;
        case 2:
            lengthDelimited();
            break;
        case 3:
            ++openGroups;
            break;
        case 4:
            if (openGroups == 0)
                throw FsllmError("malformed protobuf: a group ends that never started");
            --openGroups;
            break;
        case 5:
            take(4);
            break;
        default:
            throw FsllmError("malformed protobuf: unknown wire type " +
                             std::to_string(current.wireType));
        }
        if (openGroups == 0)
            return;
        current = key();
    }
}

std::string_view ProtoWireReader::take(std::size_t count) {
    if (count > m_bytes.size() - m_pos)
        throw FsllmError("malformed protobuf: truncated data");
    const std::string_view part = m_bytes.substr(m_pos, count);
    m_pos += count;
    return part;
}

} // namespace fsllm
