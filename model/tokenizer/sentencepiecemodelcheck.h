// Checks a sentencepiece model (tokenizer.model) before sentencepiece 0.1.97 sees it: the
// library trusts the normalizer tables stored in the model (precompiled_charsmap of
// normalizer_spec and denormalizer_spec) and reads out of bounds, or crashes, at the first
// encode when they are corrupt. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace fsllm {

class SentencepieceModelCheck {
public:
    // Throws FsllmError("<path>: ...") when `modelBytes` is not a well-formed ModelProto, a
    // vocabulary piece is empty or holds a NUL byte (sentencepiece's trie builder would abort
    // the program), or a precompiled_charsmap in it is malformed (see charsmapProblem).
    static void check(std::string_view modelBytes, const std::string& path);

    // Why `charsmap` is unsafe to hand to sentencepiece, or "" when it is safe (or empty, which
    // means identity normalization). Its layout: a little-endian uint32 trie size, that many
    // bytes of darts-clone double-array trie (4-byte units), then the normalized strings. Every
    // unit a prefix search can reach, and every unit it reads next (all 256 children of a
    // reached node), must lie inside the trie; every leaf value must be an offset into the
    // strings whose string ends with a NUL inside them.
    static std::string charsmapProblem(std::string_view charsmap);
};

} // namespace fsllm
