// The checkpoint's tokenizer, as the engine uses it: encode with BOS first, pieces, decode, and
// word-to-sub-token alignment for token classification. Two formats sit behind it
// (TokenizerBackend): sentencepiece's `tokenizer.model` (LLaMA-1/2, Mistral; ChatGLM's with its
// [gMASK] sop prefix when tokenizer_config.json names ChatGLMTokenizer) and Hugging Face's
// BPE `tokenizer.json`, byte-level (LLaMA-3, Qwen2/2.5/3, SmolLM, GPT-2 style) or
// sentencepiece-style (LLaMA-2, Mistral, TinyLlama as Hugging Face converts them).
// Thread-safety: const methods are safe to call concurrently after loading.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace fsllm {

class TokenizerBackend;

// Ids of a pre-split sentence and, for each word, the index (into ids) of its first sub-token.
struct WordAlignment {
    std::vector<int> ids;             // prefixIds() first when addBos (BOS, or ChatGLM's two)
    std::vector<int> firstSubToken;   // size == number of words
    std::vector<int> wordOfToken;     // size == ids.size(); -1 for the prefix and control
                                      // tokens
};

class Tokenizer {
public:
    // Loads `path`: a file named *.json is read as a Hugging Face tokenizer.json (with the
    // tokenizer_config.json beside it, when there is one), any other as a sentencepiece model.
    // Throws FsllmError("<path>: ...") when missing, corrupt or of an unsupported kind.
    explicit Tokenizer(const std::string& path);
    ~Tokenizer();
    Tokenizer(const Tokenizer&) = delete;
    Tokenizer& operator=(const Tokenizer&) = delete;

    // The tokenizer file a checkpoint folder uses: <dir>/tokenizer.model when present (the
    // sentencepiece path, unchanged), else <dir>/tokenizer.json when present, else "".
    static std::string fileInFolder(const std::string& directory);
    // "<dir>: no tokenizer.model or tokenizer.json; ..." for a folder with neither.
    static std::string missingMessage(const std::string& directory);

    // "sentencepiece (tokenizer.model)", "byte-level BPE (tokenizer.json)" or
    // "sentencepiece-style BPE (tokenizer.json)".
    std::string kind() const;
    const std::string& path() const;

    // Text must be valid UTF-8 (FsllmError otherwise). prefixIds() first when addBos.
    std::vector<int> encode(const std::string& text, bool addBos = true) const;
    std::vector<std::string> pieces(const std::vector<int>& ids) const; // "<s>", "▁the", "Ġthe"
    std::string decode(const std::vector<int>& ids) const;
    // Encodes words as one sentence (joined by single spaces, as the model sees them) and records
    // which tokens belong to which word (from the tokens' byte offsets).
    WordAlignment encodeWords(const std::vector<std::string>& words, bool addBos = true) const;

    // Whether encode("word") already gives the pieces of the word after a space (sentencepiece's
    // dummy prefix: "▁word"); false for byte-level BPE, where " word" gives "Ġword".
    bool addsDummyPrefix() const;

    int vocabSize() const;
    int bosId() const; // -1 when the tokenizer adds none (Qwen's tokenizer.json)
    // What encode(text, addBos = true) puts first: {BOS}, {} without one, ChatGLM's
    // {[gMASK], sop}.
    std::vector<int> prefixIds() const;
    int eosId() const; // -1 when none is known
    int padId() const; // -1 when the model has none
    int unkId() const; // -1 when none (byte-level BPE needs none)
    // Id of a single piece, or unkId() when the piece is not in the vocabulary.
    int pieceToId(const std::string& piece) const;

private:
    std::unique_ptr<TokenizerBackend> m_backend;
    std::string m_path;
};

} // namespace fsllm
