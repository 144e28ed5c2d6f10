// The BPE model of a byte-level tokenizer.json: a pre-token's bytes start as one symbol per
// byte and the adjacent pair with the best (lowest) merge rank is merged, leftmost first, until
// no pair has a merge (as Hugging Face tokenizers does). With ignore_merges (LLaMA-3) a
// pre-token that is a whole vocabulary piece is taken as it is.
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

    // Appends the tokens of `bytes` (one pre-token) to `out`. A byte with no piece of its own
    // becomes the unk token, or is dropped when there is none (as Hugging Face does).
    void encode(std::string_view bytes, std::vector<Token>& out) const;

private:
    struct Merge {
        int rank = 0;
        int result = 0;
    };
    static std::uint64_t pairKey(int left, int right) {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
               static_cast<std::uint32_t>(right);
    }
    const Merge* mergeOf(int left, int right) const;

    std::array<int, 256> m_byteId{};                 // -1 when the byte has no piece
    std::unordered_map<std::string, int> m_bytesToId; // byte-level pieces by their bytes
    std::unordered_map<std::uint64_t, Merge> m_merges;
    int m_unkId = -1;
    bool m_ignoreMerges = false;
};

} // namespace fsllm
