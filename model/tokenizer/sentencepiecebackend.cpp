// The sentencepiece backend (see sentencepiecebackend.h).
#include "sentencepiecebackend.h"

#include "fsllmerror.h"
#include "lfspointer.h"
#include "protowirereader.h"
#include "sentencepiecemodelcheck.h"
#include "tokenizer.h"
#include "utf8text.h"

#include <sentencepiece_processor.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string_view>

// Declared in sentencepiece's src/common.h, which 0.1.97 does not install.
namespace sentencepiece::logging {
void SetMinLogLevel(int level);
}

namespace fsllm {

namespace {

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

struct SentencepieceBackend::Impl {
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

SentencepieceBackend::SentencepieceBackend(const std::string& modelPath)
    : m_impl(std::make_unique<Impl>()) {
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

SentencepieceBackend::~SentencepieceBackend() = default;

std::string SentencepieceBackend::kind() const {
    return "sentencepiece (tokenizer.model)";
}

std::vector<int> SentencepieceBackend::encode(const std::string& text) const {
    std::vector<int> ids;
    const sentencepiece::util::Status status = m_impl->processor.Encode(text, &ids);
    if (!status.ok())
        throw FsllmError(m_impl->path + ": cannot encode text (" + status.ToString() + ")");
    return ids;
}

std::vector<std::string> SentencepieceBackend::pieces(const std::vector<int>& ids) const {
    m_impl->checkIds(ids);
    std::vector<std::string> result;
    result.reserve(ids.size());
    for (const int id : ids)
        result.push_back(m_impl->processor.IdToPiece(id));
    return result;
}

std::string SentencepieceBackend::decode(const std::vector<int>& ids) const {
    m_impl->checkIds(ids);
    std::string text;
    const sentencepiece::util::Status status = m_impl->processor.Decode(ids, &text);
    if (!status.ok())
        throw FsllmError(m_impl->path + ": cannot decode ids (" + status.ToString() + ")");
    return text;
}

WordAlignment SentencepieceBackend::encodeWords(const std::vector<std::string>& words) const {
    std::vector<std::size_t> wordStart;
    const std::string sentence = Utf8Text::joinWords(words, wordStart);
    const std::string serialized = m_impl->processor.EncodeAsSerializedProto(sentence);
    const std::vector<PieceSpan> spans = parsePieceSpans(serialized);
    if (spans.empty() && !sentence.empty())
        throw FsllmError(m_impl->path + ": cannot encode words (sentencepiece returned nothing)");

    WordAlignment alignment;
    alignment.firstSubToken.assign(words.size(), -1);
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
    return alignment; // words without a token of their own: Tokenizer::encodeWords refuses
}

bool SentencepieceBackend::addsDummyPrefix() const {
    return true;
}

int SentencepieceBackend::vocabSize() const {
    return m_impl->processor.GetPieceSize();
}

int SentencepieceBackend::bosId() const {
    return m_impl->processor.bos_id();
}

int SentencepieceBackend::eosId() const {
    return m_impl->processor.eos_id();
}

int SentencepieceBackend::padId() const {
    return m_impl->processor.pad_id();
}

int SentencepieceBackend::unkId() const {
    return m_impl->processor.unk_id();
}

int SentencepieceBackend::pieceToId(const std::string& piece) const {
    return m_impl->processor.PieceToId(piece);
}

} // namespace fsllm
