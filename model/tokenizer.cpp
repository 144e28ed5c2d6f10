// A sentencepiece tokenizer (see tokenizer.h). sentencepiece stays behind the pimpl: it is linked
// statically with its protobuf symbols hidden (docs/design.md §8), and its headers reach no other
// file. Thread-safety: const methods are safe to call concurrently after loading (the processor's
// encode and decode are const and keep no mutable state).
#include "tokenizer.h"

#include "fsllmerror.h"
#include "lfspointer.h"
#include "protowirereader.h"
#include "sentencepiecemodelcheck.h"

#include <sentencepiece_processor.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string_view>

// Declared in sentencepiece's src/common.h, which 0.1.97 does not install.
namespace sentencepiece::logging {
void SetMinLogLevel(int level);
}

namespace fsllm {

namespace {

// Byte offset of the first byte that breaks UTF-8 (overlong forms, surrogates and code points
// past U+10FFFF included), or npos when `text` is valid.
std::size_t firstInvalidUtf8Byte(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        unsigned char low = 0x80, high = 0xBF; // allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            if (lead == 0xE0)
                low = 0xA0; // overlong
            else if (lead == 0xED)
                high = 0x9F; // UTF-16 surrogates
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            if (lead == 0xF0)
                low = 0x90; // overlong
            else if (lead == 0xF4)
                high = 0x8F; // past U+10FFFF
        } else {
            return i;
        }
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= text.size())
                return i + k;
            const auto byte = static_cast<unsigned char>(text[i + k]);
            const unsigned char min = k == 1 ? low : 0x80;
            const unsigned char max = k == 1 ? high : 0xBF;
            if (byte < min || byte > max)
                return i + k;
        }
        i += length;
    }
    return std::string_view::npos;
}

void requireUtf8(std::string_view text) {
    const std::size_t bad = firstInvalidUtf8Byte(text);
    if (bad == std::string_view::npos)
        return;
    char detail[96];
    if (bad < text.size()) {
        std::snprintf(detail, sizeof detail, "unexpected byte 0x%02X at byte offset %zu",
                      static_cast<unsigned>(static_cast<unsigned char>(text[bad])), bad);
    } else {
        std::snprintf(detail, sizeof detail, "truncated character at byte offset %zu", bad);
    }
    throw FsllmError(std::string("text is not valid UTF-8: ") + detail +
                     "; convert the input to UTF-8 first");
}

// One piece of a sentencepiece encoding: its id and the byte offset in the input where its
// surface begins (the space before a word for "▁word" pieces).
struct PieceSpan {
    int id = 0;
    std::size_t begin = 0;
};

// SentencePiece message: id = field 2, begin = field 4.
PieceSpan parsePiece(std::string_view bytes) {
    PieceSpan span;
    ProtoWireReader reader(bytes);
    while (!reader.atEnd()) {
        const ProtoWireReader::Key key = reader.key();
        if (key.field == 2 && key.wireType == 0)
            span.id = static_cast<int>(reader.varint());
        else if (key.field == 4 && key.wireType == 0)
            span.begin = static_cast<std::size_t>(reader.varint());
        else
            reader.skip(key);
    }
    return span;
}

// SentencePieceText message: repeated pieces = field 2.
std::vector<PieceSpan> parsePieceSpans(std::string_view bytes) {
    std::vector<PieceSpan> spans;
    ProtoWireReader reader(bytes);
    while (!reader.atEnd()) {
        const ProtoWireReader::Key key = reader.key();
        if (key.field == 2 && key.wireType == 2)
            spans.push_back(parsePiece(reader.lengthDelimited()));
        else
            reader.skip(key);
    }
    return spans;
}

// Joins `words` with single spaces, as LLaMA sees a pre-split sentence, and records where each
// word starts. Throws FsllmError naming the word when one is empty or not valid UTF-8.
std::string joinWords(const std::vector<std::string>& words, std::vector<std::size_t>& wordStart) {
    std::string sentence;
    wordStart.clear();
    wordStart.reserve(words.size());
    for (std::size_t k = 0; k < words.size(); ++k) {
        const std::string context = "word " + std::to_string(k);
        if (words[k].empty())
            throw FsllmError(context + " is empty");
        withErrorContext(context, [&] { requireUtf8(words[k]); });
        if (k > 0)
            sentence += ' ';
        wordStart.push_back(sentence.size());
        sentence += words[k];
    }
    return sentence;
}

bool fileIsReadable(const std::string& path) {
    return std::ifstream(path).good();
}

std::string readModelFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        throw FsllmError(path + ": cannot read the tokenizer model");
    return bytes;
}

} // namespace

struct Tokenizer::Impl {
    sentencepiece::SentencePieceProcessor processor;
    std::string path;

    void checkIds(const std::vector<int>& ids) const {
        const int size = processor.GetPieceSize();
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (ids[i] < 0 || ids[i] >= size) {
                throw FsllmError("token id " + std::to_string(ids[i]) + " at position " +
                                 std::to_string(i) + " is outside the vocabulary [0, " +
                                 std::to_string(size) + ")");
            }
        }
    }
};

Tokenizer::Tokenizer(const std::string& modelPath) : m_impl(std::make_unique<Impl>()) {
    sentencepiece::logging::SetMinLogLevel(1); // warnings and errors only; no INFO chatter
    m_impl->path = modelPath;
    if (!fileIsReadable(modelPath))
        throw FsllmError(modelPath + ": tokenizer model not found or not readable");
    // sentencepiece does not check its normalizer tables; a corrupt one crashes the first
    // encode. The bytes are checked here and handed over as they were checked.
    const std::string bytes = readModelFile(modelPath);
    LfsPointer::refuse(modelPath, bytes, bytes.size());
    SentencepieceModelCheck::check(bytes, modelPath);
    const sentencepiece::util::Status status = m_impl->processor.LoadFromSerializedProto(bytes);
    if (!status.ok()) {
        throw FsllmError(modelPath + ": not a valid sentencepiece tokenizer model (" +
                         status.ToString() + ")");
    }
    if (m_impl->processor.GetPieceSize() <= 0)
        throw FsllmError(modelPath + ": sentencepiece tokenizer model has an empty vocabulary");
}

Tokenizer::~Tokenizer() = default;

std::vector<int> Tokenizer::encode(const std::string& text, bool addBos) const {
    requireUtf8(text);
    std::vector<int> ids;
    const sentencepiece::util::Status status = m_impl->processor.Encode(text, &ids);
    if (!status.ok())
        throw FsllmError(m_impl->path + ": cannot encode text (" + status.ToString() + ")");
    if (addBos && bosId() >= 0)
        ids.insert(ids.begin(), bosId());
    return ids;
}

std::vector<std::string> Tokenizer::pieces(const std::vector<int>& ids) const {
    m_impl->checkIds(ids);
    std::vector<std::string> result;
    result.reserve(ids.size());
    for (const int id : ids)
        result.push_back(m_impl->processor.IdToPiece(id));
    return result;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    m_impl->checkIds(ids);
    std::string text;
    const sentencepiece::util::Status status = m_impl->processor.Decode(ids, &text);
    if (!status.ok())
        throw FsllmError(m_impl->path + ": cannot decode ids (" + status.ToString() + ")");
    return text;
}

WordAlignment Tokenizer::encodeWords(const std::vector<std::string>& words, bool addBos) const {
    std::vector<std::size_t> wordStart;
    const std::string sentence = joinWords(words, wordStart);
    const std::string serialized = m_impl->processor.EncodeAsSerializedProto(sentence);
    const std::vector<PieceSpan> spans = parsePieceSpans(serialized);
    if (spans.empty() && !sentence.empty())
        throw FsllmError(m_impl->path + ": cannot encode words (sentencepiece returned nothing)");

    WordAlignment alignment;
    alignment.firstSubToken.assign(words.size(), -1);
    if (addBos && bosId() >= 0) {
        alignment.ids.push_back(bosId());
        alignment.wordOfToken.push_back(-1);
    }
    if (words.empty())
        return alignment;
    // Word k's tokens are those whose surface begins at or after the space before it
    // ("▁word" pieces begin at that space).
    std::size_t word = 0;
    for (const PieceSpan& span : spans) {
        while (word + 1 < words.size() && span.begin + 1 >= wordStart[word + 1])
            ++word;
        const int token = static_cast<int>(alignment.ids.size());
        const bool special = m_impl->processor.IsControl(span.id);
        alignment.ids.push_back(span.id);
        alignment.wordOfToken.push_back(special ? -1 : static_cast<int>(word));
        if (!special && alignment.firstSubToken[word] < 0)
            alignment.firstSubToken[word] = token;
    }
    for (std::size_t k = 0; k < words.size(); ++k) {
        if (alignment.firstSubToken[k] < 0) {
            throw FsllmError("word " + std::to_string(k) + " (\"" + words[k] +
                             "\") produced no token of its own; words must not be whitespace");
        }
    }
    return alignment;
}

int Tokenizer::vocabSize() const {
    return m_impl->processor.GetPieceSize();
}

int Tokenizer::bosId() const {
    return m_impl->processor.bos_id();
}

int Tokenizer::eosId() const {
    return m_impl->processor.eos_id();
}

int Tokenizer::padId() const {
    return m_impl->processor.pad_id();
}

int Tokenizer::unkId() const {
    return m_impl->processor.unk_id();
}

int Tokenizer::pieceToId(const std::string& piece) const {
    return m_impl->processor.PieceToId(piece);
}

} // namespace fsllm
