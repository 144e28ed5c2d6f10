// Reads a Hugging Face `tokenizer.json` (and the `tokenizer_config.json` beside it, when there is
// one) for a BPE model, checking every field it uses. Two kinds are supported:
//   - byte-level BPE (GPT-2, LLaMA-3, Qwen2/2.5/3, SmolLM): a ByteLevel pre-tokenizer step, pieces
//     written in GPT-2's byte alphabet;
//   - sentencepiece-style BPE (LLaMA-2, Mistral, TinyLlama as Hugging Face converts them): pieces
//     are text with "▁" for a space, made either by the normalizer (Prepend("▁") then
//     Replace(" ", "▁"), no pre-tokenizer: the "legacy" form) or by a Metaspace pre-tokenizer;
//     characters outside the vocabulary become <0xNN> byte pieces (byte_fallback) or unk.
// What is read is plain data (TokenizerJsonSpec); BpeBackend runs it.
//
// Supported: model BPE (vocab, merges as "a b" strings or [a, b] pairs, ignore_merges,
// unk_token, byte_fallback, fuse_unk); normalizer null, NFC, Prepend, Replace (String pattern) or
// a Sequence of those; pre_tokenizer ByteLevel, Split (Regex or String pattern, behavior
// Isolated), Digits, or a Sequence of those that includes ByteLevel; or Metaspace alone; or null
// when the normalizer replaces spaces; post_processor null, ByteLevel, TemplateProcessing (special
// tokens before $A become BOS) or a Sequence of those; added_tokens (lstrip, rstrip, special).
// Anything else, such as a WordPiece or Unigram model, is refused naming the file and field.
// `truncation`, `padding` and `decoder` are not read: the engine truncates by itself and decodes
// pieces by their kind. Thread-safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fsllm {

struct AddedTokenSpec {
    int id = 0;
    std::string content;
    bool special = false;
    bool lstrip = false; // whitespace before the token is dropped
    bool rstrip = false; // whitespace after the token is dropped
};

// One pre-tokenizer step, applied in order to the pieces the previous steps left.
struct PreTokenizerStep {
    enum class Kind { SplitRegex, ByteLevel };
    Kind kind = Kind::ByteLevel;
    std::string pattern;         // SplitRegex: a PCRE2-compatible regex (Unicode classes allowed)
    bool literal = false;        // SplitRegex: pattern is a plain string ({"String": ...})
    bool addPrefixSpace = false; // ByteLevel: a space before a piece that starts without one
    bool useRegex = true;        // ByteLevel: split with GPT-2's regex first
};

// A normalizer step that edits text: Prepend puts `content` first (a stretch that is not empty),
// Replace puts `content` in place of every `pattern` (a literal string), left to right.
struct TextEdit {
    enum class Kind { Prepend, Replace };
    Kind kind = Kind::Replace;
    std::string pattern;
    std::string content;
};

// The Metaspace pre-tokenizer: spaces become `replacement`, which is also put first (Always: every
// stretch between added tokens that does not start with it; First: only the stretch at the start
// of the text; Never), and with `split` each piece starts at a replacement.
struct MetaspaceSpec {
    enum class Prepend { Always, First, Never };
    std::string replacement = "\xE2\x96\x81"; // "▁"
    Prepend prepend = Prepend::Always;
    bool split = true;
};

struct TokenizerJsonSpec {
    std::string path;                // the tokenizer.json read
    std::vector<std::string> pieces; // id -> piece ("Ġthe"), added tokens included; "" for gaps
    std::vector<std::pair<std::string, std::string>> merges; // by rank, highest priority first
    std::vector<AddedTokenSpec> addedTokens;
    std::vector<PreTokenizerStep> preTokenizer; // byte-level only
    bool byteLevel = true;     // false: sentencepiece-style (pieces are text, see above)
    bool nfc = false; // normalizer: NFC, applied before textEdits (with the " " and "▁" that
                      // files use, the order makes no difference)
    std::vector<TextEdit> textEdits; // normalizer: Prepend and Replace (sentencepiece-style only)
    bool metaspace = false;          // pre_tokenizer: Metaspace (sentencepiece-style only)
    MetaspaceSpec metaspaceSpec;
    std::string spaceMarker; // sentencepiece-style: what stands for a space in pieces ("▁")
    bool ignoreMerges = false; // a pre-token that is a vocab piece is taken whole
    bool byteFallback = false; // a character outside the vocabulary becomes <0xNN> pieces
    bool fuseUnk = false;      // adjacent unknown characters become one unk token
    int unkId = -1;
    int bosId = -1; // added by encode(addBos): the post-processor's, else tokenizer_config's
    int eosId = -1; // tokenizer_config.json's eos_token, -1 when none
    int padId = -1; // tokenizer_config.json's pad_token, -1 when none
};

class TokenizerJson {
public:
    // Reads `path` and, when it exists, tokenizer_config.json in the same folder. Throws
    // FsllmError("<path>: field '<field>': <what is wrong>; <fix>") for anything malformed or
    // unsupported, and for a Git LFS pointer in place of the file.
    static TokenizerJsonSpec read(const std::string& path);

    // The same from text in memory (`configText` empty when there is no tokenizer_config.json);
    // `path` and `configPath` name the sources in messages.
    static TokenizerJsonSpec parse(const std::string& text, const std::string& path,
                                   const std::string& configText, const std::string& configPath);
};

} // namespace fsllm
