// UTF-8 checks and the one way pre-split words become a sentence, shared by the tokenizer
// backends. Torch-free. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace fsllm {

class Utf8Text {
public:
    // Byte offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points
    // past U+10FFFF included), or npos when `text` is valid.
    static std::size_t firstInvalidByte(std::string_view text);

    // Throws FsllmError("text is not valid UTF-8: unexpected byte 0x.. at byte offset N; ...")
    // when `text` is not valid UTF-8.
    static void require(std::string_view text);

    // Joins `words` with single spaces (as a decoder-only model sees a pre-split sentence) after
    // passing each through `transform` (identity when empty), and sets wordStart[k] to the byte
    // offset of word k in the result. Throws FsllmError("word K ...") when a word is empty or
    // not valid UTF-8.
    static std::string joinWords(const std::vector<std::string>& words,
                                 std::vector<std::size_t>& wordStart,
                                 const std::function<std::string(const std::string&)>& transform =
                                     nullptr);
};

} // namespace fsllm
