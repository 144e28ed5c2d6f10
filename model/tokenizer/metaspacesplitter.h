// The text side of a sentencepiece-style tokenizer.json (tokenizerjson.h): turns one stretch of
// text between added tokens into the pre-tokens its BPE model merges. It applies the normalizer's
// Prepend and Replace steps in order (the legacy form: Prepend("▁"), Replace(" ", "▁")), then the
// Metaspace pre-tokenizer when there is one (spaces become the replacement, which is put first as
// its prepend_scheme says, and with split each pre-token starts at a replacement). Every byte of a
// pre-token remembers the byte of the stretch it came from, so tokens keep the byte range of the
// text they stand for (Tokenizer::encodeWords aligns words by it).
// Thread-safety: split() is const and safe to call concurrently.
#pragma once

#include "tokenizerjson.h"

#include <cstddef>
#include <string>
#include <vector>

namespace fsllm {

class MetaspaceSplitter {
public:
    // A pre-token: its text and, for each byte of it and one past the end, the offset in the
    // stretch of the byte it came from (an inserted "▁" maps to where it was inserted, a "▁" that
    // replaced a space to that space). A token of bytes [b, e) stands for [source[b], source[e]).
    struct Piece {
        std::string text;
        std::vector<std::size_t> source; // text.size() + 1 entries
    };

    // Takes the spec's textEdits and Metaspace settings (spec.byteLevel must be false).
    explicit MetaspaceSplitter(const TokenizerJsonSpec& spec);

    // The pre-tokens of `stretch` (valid UTF-8, not empty). `atTextStart`: the stretch begins the
    // encoded text (prepend_scheme "first" prepends only there).
    std::vector<Piece> split(const std::string& stretch, bool atTextStart) const;

private:
    std::vector<TextEdit> m_edits;
    bool m_metaspace = false;
    MetaspaceSpec m_settings;
};

} // namespace fsllm
