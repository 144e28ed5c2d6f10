// GPT-2's byte-to-unicode map, which byte-level BPE vocabularies (GPT-2, LLaMA-3, Qwen) are
// written in: printable bytes stand for themselves, the others (space, control bytes, 0x7F-0xA0,
// 0xAD) for U+0100 onwards, so a space is "Ġ" and a newline "Ċ". Thread-safety: pure functions
// over constant tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fsllm {

class ByteLevelAlphabet {
public:
    // The UTF-8 text of the character that stands for `byte`.
    static const std::string& charOf(unsigned char byte);
    // The bytes a vocabulary piece stands for, or nullopt when the piece has a character outside
    // the alphabet (such a piece can only be an added token). `piece` must be valid UTF-8.
    static std::optional<std::string> bytesOf(std::string_view piece);
    // `bytes` written in the alphabet ("Ġthe" for " the").
    static std::string piecesOf(std::string_view bytes);
};

} // namespace fsllm
