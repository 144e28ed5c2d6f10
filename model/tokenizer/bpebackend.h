// The BPE backend of Tokenizer: a Hugging Face tokenizer.json, byte-level as GPT-2, LLaMA-3,
// Qwen2/2.5/3 and SmolLM ship it, or sentencepiece-style as LLaMA-2, Mistral and TinyLlama do
// (TokenizerJson says what is supported). Encoding: added tokens are cut out first (longest match;
// lstrip/rstrip honoured), each stretch between them is NFC-normalized when the file says so, then
// byte-level: split by the pre-tokenizer steps (PCRE2 regexes) and mapped to bytes;
// sentencepiece-style: edited and split by MetaspaceSplitter ("▁" for spaces); and merged by
// BpeMerger. Every token keeps the byte range of the text it came from, which encodeWords uses to
// align words. Thread-safety: const methods are safe to call concurrently.
#pragma once

#include "bpemerger.h"
#include "metaspacesplitter.h"
#include "regexsplitter.h"
#include "tokenizerbackend.h"
#include "tokenizerjson.h"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace fsllm {

class BpeBackend : public TokenizerBackend {
public:
    // Reads `path` (tokenizer.json) and the tokenizer_config.json beside it. Throws FsllmError
    // naming the file and field for anything malformed or unsupported.
    explicit BpeBackend(const std::string& path);
    explicit BpeBackend(TokenizerJsonSpec spec);
    ~BpeBackend() override;

    std::string kind() const override;
    std::vector<int> encode(const std::string& text) const override;
    WordAlignment encodeWords(const std::vector<std::string>& words) const override;
    std::vector<std::string> pieces(const std::vector<int>& ids) const override;
    // Special tokens decode to nothing (as sentencepiece's control tokens do); bytes that do not
    // form UTF-8 become U+FFFD. Sentencepiece-style: "▁" becomes a space, <0xNN> its byte, and
    // the space the tokenizer put first (addsDummyPrefix) is dropped.
    std::string decode(const std::vector<int>& ids) const override;
    bool addsDummyPrefix() const override;
    int vocabSize() const override;
    int bosId() const override;
    int eosId() const override;
    int padId() const override;
    int unkId() const override;
    int pieceToId(const std::string& piece) const override;

private:
    // A token and the bytes [begin, end) of the encoded text it stands for. The offsets are exact
    // when the text was not normalized by encode (encodeWords normalizes word by word first).
    struct Span {
        int id = 0;
        std::size_t begin = 0;
        std::size_t end = 0;
    };
    // A stretch of text: an added token (addedIndex >= 0) or text to pre-tokenize.
    struct Segment {
        std::size_t begin = 0;
        std::size_t end = 0;
        int addedIndex = -1;
    };

    std::vector<Span> spans(const std::string& text, bool normalize) const;
    std::vector<Segment> segments(const std::string& text) const;
    void encodeSegment(const std::string& text, std::size_t offset, std::vector<Span>& out) const;
    void encodeMetaspaceSegment(const std::string& text, std::size_t offset,
                                std::vector<Span>& out) const;
    void checkIds(const std::vector<int>& ids) const;

    TokenizerJsonSpec m_spec;
    BpeMerger m_merger;
    // One per pre-tokenizer step: the step's regex (a ByteLevel step's is GPT-2's), or null.
    std::vector<std::unique_ptr<RegexSplitter>> m_splitters;
    std::unique_ptr<MetaspaceSplitter> m_metaspace; // sentencepiece-style only
    std::unordered_map<std::string, int> m_idOfPiece;
    std::vector<std::vector<int>> m_addedByFirstByte; // indices into m_spec.addedTokens
    std::vector<bool> m_special;                      // by id
};

} // namespace fsllm
