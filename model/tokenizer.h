// A sentencepiece tokenizer (`tokenizer.model`), as LLaMA uses it: encode with BOS first,
// pieces, decode, and word-to-sub-token alignment for token classification.
// Thread-safety: const methods are safe to call concurrently after loading.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace fsllm {

// Ids of a pre-split sentence and, for each word, the index (into ids) of its first sub-token.
struct WordAlignment {
    std::vector<int> ids;             // BOS first when addBos
    std::vector<int> firstSubToken;   // size == number of words
    std::vector<int> wordOfToken;     // size == ids.size(); -1 for BOS and special tokens
};

class Tokenizer {
public:
    // Loads a sentencepiece model. Throws FsllmError("<path>: ...") when missing or corrupt.
    explicit Tokenizer(const std::string& modelPath);
    ~Tokenizer();
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    // Text must be valid UTF-8 (FsllmError otherwise).
    std::vector<int> encode(const std::string& text, bool addBos = true) const;
    std::vector<std::string> pieces(const std::vector<int>& ids) const; // "<s>", "▁the", ...
    std::string decode(const std::vector<int>& ids) const;
    // Encodes words as one sentence (joined by spaces, as LLaMA sees them) and records which
    // tokens belong to which word.
    WordAlignment encodeWords(const std::vector<std::string>& words, bool addBos = true) const;

    int vocabSize() const;
    int bosId() const;
    int eosId() const;
    int padId() const; // -1 when the model has none
    int unkId() const;
    // Id of a single piece, or unkId() when the piece is not in the vocabulary.
    int pieceToId(const std::string& piece) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
