// GPT-2's bytes_to_unicode table (see bytelevelalphabet.h).
#include "bytelevelalphabet.h"

#include <array>
#include <unordered_map>

namespace fsllm {

namespace {

std::string utf8Of(unsigned codePoint) {
    std::string out;
    if (codePoint < 0x80) {
        out += static_cast<char>(codePoint);
    } else { // the alphabet stays below U+0800
        out += static_cast<char>(0xC0 | (codePoint >> 6));
        out += static_cast<char>(0x80 | (codePoint & 0x3F));
    }
    return out;
}

struct Tables {
    std::array<std::string, 256> charOfByte;
    std::unordered_map<unsigned, unsigned char> byteOfCodePoint;

    Tables() {
        unsigned next = 256;
        for (unsigned b = 0; b < 256; ++b) {
            const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
            const unsigned codePoint = printable ? b : next++;
            charOfByte[b] = utf8Of(codePoint);
            byteOfCodePoint[codePoint] = static_cast<unsigned char>(b);
        }
    }
};

const Tables& tables() {
    static const Tables instance;
    return instance;
}

} // namespace

const std::string& ByteLevelAlphabet::charOf(unsigned char byte) {
    return tables().charOfByte[byte];
}

std::optional<std::string> ByteLevelAlphabet::bytesOf(std::string_view piece) {
    const auto& byteOf = tables().byteOfCodePoint;
    std::string bytes;
    bytes.reserve(piece.size());
    for (std::size_t i = 0; i < piece.size();) {
        const auto lead = static_cast<unsigned char>(piece[i]);
        unsigned codePoint = 0;
        if (lead < 0x80) {
            codePoint = lead;
            i += 1;
        } else if ((lead & 0xE0) == 0xC0 && i + 1 < piece.size()) {
            codePoint = ((lead & 0x1Fu) << 6) | (static_cast<unsigned char>(piece[i + 1]) & 0x3Fu);
            i += 2;
        } else {
            return std::nullopt; // three- and four-byte characters are outside the alphabet
        }
        const auto it = byteOf.find(codePoint);
        if (it == byteOf.end())
            return std::nullopt;
        bytes += static_cast<char>(it->second);
    }
    return bytes;
}

std::string ByteLevelAlphabet::piecesOf(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        out += charOf(static_cast<unsigned char>(c));
    return out;
}

} // namespace fsllm
