// What Tokenizer (tokenizer.h) asks of one tokenizer format: sentencepiece's tokenizer.model
// (SentencepieceBackend) or Hugging Face's BPE tokenizer.json, byte-level or sentencepiece-style
// (BpeBackend). The backend never adds BOS: Tokenizer does, from prefixIds(). Text reaching encode()
// is valid UTF-8.
// Thread-safety: const methods are safe to call concurrently after construction.
#pragma once

#include <string>
#include <vector>

namespace fsllm {

struct WordAlignment;

class TokenizerBackend {
public:
    virtual ~TokenizerBackend() = default;

    // "sentencepiece (tokenizer.model)", "byte-level BPE (tokenizer.json)",
    // "sentencepiece-style BPE (tokenizer.json)".
    virtual std::string kind() const = 0;
    // Ids of `text` (valid UTF-8), without BOS.
    virtual std::vector<int> encode(const std::string& text) const = 0;
    // Words joined by single spaces, encoded, without BOS; firstSubToken and wordOfToken index
    // into ids; firstSubToken is -1 for a word that made no token of its own (Tokenizer::
    // encodeWords refuses that, naming the word). Throws FsllmError("word K ...") for an empty
    // word.
    virtual WordAlignment encodeWords(const std::vector<std::string>& words) const = 0;
    // Ids are checked against the vocabulary (FsllmError naming the position otherwise).
    virtual std::vector<std::string> pieces(const std::vector<int>& ids) const = 0;
    virtual std::string decode(const std::vector<int>& ids) const = 0;

    // Whether encode("word") gives the pieces of the word after a space (sentencepiece's
    // dummy prefix "▁word"); byte-level BPE needs " word" for "Ġword".
    virtual bool addsDummyPrefix() const = 0;
    virtual int vocabSize() const = 0;
    virtual int bosId() const = 0; // -1 when encode(text, addBos) adds none
    // What Tokenizer puts before every input when addBos: BOS alone, or nothing; ChatGLM's
    // "[gMASK]" "sop".
    virtual std::vector<int> prefixIds() const {
        return bosId() >= 0 ? std::vector<int>{bosId()} : std::vector<int>{};
    }
    virtual int eosId() const = 0; // -1 when none
    virtual int padId() const = 0; // -1 when none
    virtual int unkId() const = 0; // -1 when none
    virtual int pieceToId(const std::string& piece) const = 0; // unkId() when absent
};

} // namespace fsllm
