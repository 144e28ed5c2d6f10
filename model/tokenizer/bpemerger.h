// The BPE model of a tokenizer.json: a pre-token starts as one symbol per byte (byte-level BPE)
// or per character (sentencepiece-style), and the adjacent pair with the best (lowest) merge rank
// is merged, leftmost first, until no pair has a merge (as Hugging Face tokenizers does). With
// ignore_merges (LLaMA-3) a pre-token that is a whole vocabulary piece is taken as it is. In the
// sentencepiece style a character outside the vocabulary becomes one <0xNN> piece per byte
// (byte_fallback, when all of them exist), else the unk token (adjacent ones fused into one with
// fuse_unk), else nothing.
// Thread-safety: encode() is const and safe to call concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fsllm {

struct TokenizerJsonSpec;

class BpeMerger {
public:
    // One output token: its id and how many bytes of the pre-token it covers.
    struct Token {
        int id = 0;
        std::size_t bytes = 0;
    };

    // Builds the tables from the spec's pieces and merges (already checked by TokenizerJson).
    explicit BpeMerger(const TokenizerJsonSpec& spec);

    // Appends the tokens of `bytes` (one pre-token; valid UTF-8 in the sentencepiece style) to
    // `out`. Byte-level: a byte with no piece of its own becomes the unk token, or is dropped when
    // there is none (as Hugging Face does); its bytes go to the next token kept.
    void encode(std::string_view bytes, std::vector<Token>& out) const;

private:
    struct Symbol {
        int id;
        int prev;
        int next;
        std::size_t bytes;
    };
    struct Merge {
        int rank = 0;
        int result = 0;
    };
    static std::uint64_t pairKey(int left, int right) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
               static_cast<std::uint32_t>(right);
    }
    const Merge* mergeOf(int left, int right) const;
    void byteSymbols(std::string_view bytes, std::vector<Symbol>& symbols) const;
    void characterSymbols(std::string_view text, std::vector<Symbol>& symbols) const;
    void merge(std::vector<Symbol>& symbols) const;

    // Byte-level: the piece of each byte; sentencepiece-style: the <0xNN> piece (byte_fallback).
    // -1 when none.
    std::array<int, 256> m_byteId{};
    // Whole pieces: byte-level ones by their bytes, sentencepiece-style ones by their text.
    std::unordered_map<std::string, int> m_pieceToId;
    std::unordered_map<std::uint64_t, Merge> m_merges;
    int m_unkId = -1;
    bool m_byteLevel = true;
    bool m_ignoreMerges = false;
    bool m_byteFallback = false;
    bool m_fuseUnk = false;
};

} // namespace fsllm
