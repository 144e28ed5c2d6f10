// A compiled PCRE2 regex (UTF-8, Unicode properties: \p{L}, \p{N}, Unicode \s) that cuts text
// into the pieces a Hugging Face Split pre-tokenizer with behavior "Isolated" makes: every match
// and every stretch between matches is one piece. PCRE2 stays behind this file pair.
// Thread-safety: split() is const and safe to call concurrently (match data is per call).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fsllm {

class RegexSplitter {
public:
    struct Piece {
        std::size_t begin = 0; // byte offsets into the text given to split()
        std::size_t end = 0;
    };

    // Compiles `pattern` (a literal string when `literal`). Throws FsllmError("<source>: field
    // '<field>': regex does not compile: <reason> at offset N") when it is not valid.
    RegexSplitter(const std::string& pattern, bool literal, const std::string& source,
                  const std::string& field);
    ~RegexSplitter();
    RegexSplitter(const RegexSplitter&) = delete;
    RegexSplitter& operator=(const RegexSplitter&) = delete;

    // Non-empty pieces of `text` (valid UTF-8), in order, covering it. Throws FsllmError when
    // PCRE2 gives up (match or stack limits on pathological text).
    std::vector<Piece> split(std::string_view text) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
