// ChatGLM2/3's tokenizer (THUDM's ChatGLMTokenizer): a sentencepiece `tokenizer.model` with five
// special tokens appended after its pieces, "[MASK]" "[gMASK]" "[sMASK]" "sop" "eop" (ids n .. n+4
// for a model of n pieces), and no BOS: every input starts with "[gMASK]" "sop" instead
// (prefixIds()). Chosen by Tokenizer when the tokenizer_config.json beside tokenizer.model says
// "tokenizer_class": "ChatGLMTokenizer". Everything else is the sentencepiece backend's.
// Thread-safety: const methods are safe to call concurrently after loading.
#pragma once

#include "tokenizerbackend.h"

#include <memory>
#include <string>

namespace fsllm {

class SentencepieceBackend;

class ChatGlmBackend : public TokenizerBackend {
public:
    // The special tokens, in id order after the sentencepiece pieces.
    static const std::vector<std::string>& specialTokens();

    // Throws FsllmError("<path>: ...") as SentencepieceBackend does.
    explicit ChatGlmBackend(const std::string& modelPath);
    ~ChatGlmBackend() override;

    std::string kind() const override;
    std::vector<int> encode(const std::string& text) const override;
    WordAlignment encodeWords(const std::vector<std::string>& words) const override;
    std::vector<std::string> pieces(const std::vector<int>& ids) const override;
    std::string decode(const std::vector<int>& ids) const override;
    bool addsDummyPrefix() const override;
    int vocabSize() const override; // sentencepiece pieces + 5
    int bosId() const override;     // -1: the prefix is [gMASK] sop
    std::vector<int> prefixIds() const override;
    int eosId() const override;
    int padId() const override; // ChatGLMTokenizer pads with the unknown piece
    int unkId() const override;
    int pieceToId(const std::string& piece) const override;

private:
    std::unique_ptr<SentencepieceBackend> m_pieces;
    int m_firstSpecial; // id of "[MASK]" == the sentencepiece model's piece count
};

} // namespace fsllm
