// The sentencepiece backend of Tokenizer: a `tokenizer.model` as LLaMA-1/2 and Mistral ship it.
// sentencepiece stays behind this file pair: it is linked statically with its protobuf symbols
// hidden (docs/design.md §8), and its headers reach no other file.
// Thread-safety: const methods are safe to call concurrently after loading (the processor's
// encode and decode are const and keep no mutable state).
#pragma once

#include "tokenizerbackend.h"

#include <memory>
#include <string>

namespace fsllm {

class SentencepieceBackend : public TokenizerBackend {
public:
    // Loads a sentencepiece model. Throws FsllmError("<path>: ...") when missing or corrupt.
    explicit SentencepieceBackend(const std::string& modelPath);
    ~SentencepieceBackend() override;

    std::string kind() const override;
    std::vector<int> encode(const std::string& text) const override;
    WordAlignment encodeWords(const std::vector<std::string>& words) const override;
    std::vector<std::string> pieces(const std::vector<int>& ids) const override;
    std::string decode(const std::vector<int>& ids) const override;
    bool addsDummyPrefix() const override;
    int vocabSize() const override;
    int bosId() const override;
    int eosId() const override;
    int padId() const override;
    int unkId() const override;
    int pieceToId(const std::string& piece) const override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace fsllm
