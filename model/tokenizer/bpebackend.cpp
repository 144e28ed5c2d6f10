// The byte-level BPE backend (see bpebackend.h).
#include "bpebackend.h"

#include "bytelevelalphabet.h"
#include "fsllmerror.h"
#include "nfcnormalizer.h"
#include "tokenizer.h"
#include "utf8text.h"

#include <algorithm>

namespace fsllm {

namespace {

// GPT-2's pre-tokenizer regex, which a ByteLevel step with use_regex applies.
const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// A piece of pre-tokenized text: its bytes, where they start in the encoded text, and how many
// leading bytes are a space the ByteLevel step added (they stand for no text).
struct PrePiece {
    std::string bytes;
    std::size_t source = 0;
    std::size_t synthetic = 0;
};

// `bytes` with every byte sequence that is not UTF-8 replaced by U+FFFD.
std::string validUtf8(const std::string& bytes) {
    if (Utf8Text::firstInvalidByte(bytes) == std::string::npos)
        return bytes;
    std::string out;
    for (std::size_t i = 0; i < bytes.size();) {
        const auto lead = static_cast<unsigned char>(bytes[i]);
        const std::size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (i + length <= bytes.size() &&
            Utf8Text::firstInvalidByte(std::string_view(bytes).substr(i, length)) ==
                std::string::npos) {
            out.append(bytes, i, length);
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

} // namespace

BpeBackend::BpeBackend(const std::string& path) : BpeBackend(TokenizerJson::read(path)) {}

BpeBackend::BpeBackend(TokenizerJsonSpec spec) : m_spec(std::move(spec)), m_merger(m_spec) {
    for (std::size_t i = 0; i < m_spec.preTokenizer.size(); ++i) {
        const PreTokenizerStep& step = m_spec.preTokenizer[i];
        const std::string field = "pre_tokenizer step " + std::to_string(i);
        if (step.kind == PreTokenizerStep::Kind::SplitRegex)
            m_splitters.push_back(
                std::make_unique<RegexSplitter>(step.pattern, step.literal, m_spec.path, field));
        else if (step.useRegex)
            m_splitters.push_back(
                std::make_unique<RegexSplitter>(kGpt2Pattern, false, m_spec.path, field));
        else
            m_splitters.push_back(nullptr);
    }
    if (!m_spec.byteLevel)
        m_metaspace = std::make_unique<MetaspaceSplitter>(m_spec);
    m_idOfPiece.reserve(m_spec.pieces.size());
    for (std::size_t id = 0; id < m_spec.pieces.size(); ++id)
        if (!m_spec.pieces[id].empty())
            m_idOfPiece.emplace(m_spec.pieces[id], static_cast<int>(id));
    m_special.assign(m_spec.pieces.size(), false);
    m_addedByFirstByte.resize(256);
    for (std::size_t i = 0; i < m_spec.addedTokens.size(); ++i) {
        const AddedTokenSpec& added = m_spec.addedTokens[i];
        m_idOfPiece[added.content] = added.id;
        if (added.special)
            m_special[static_cast<std::size_t>(added.id)] = true;
        m_addedByFirstByte[static_cast<unsigned char>(added.content[0])].push_back(
            static_cast<int>(i));
    }
    for (const int id : {m_spec.bosId, m_spec.eosId, m_spec.padId, m_spec.unkId})
        if (id >= static_cast<int>(m_spec.pieces.size()))
            throw FsllmError(m_spec.path + ": special token id " + std::to_string(id) +
                             " is outside the vocabulary");
}

BpeBackend::~BpeBackend() = default;

std::string BpeBackend::kind() const {
    return m_spec.byteLevel ? "byte-level BPE (tokenizer.json)"
                            : "sentencepiece-style BPE (tokenizer.json)";
}

std::vector<BpeBackend::Segment> BpeBackend::segments(const std::string& text) const {
    std::vector<Segment> result;
    std::size_t textStart = 0;
    for (std::size_t i = 0; i < text.size();) {
        int best = -1;
        std::size_t bestLength = 0;
        for (const int index : m_addedByFirstByte[static_cast<unsigned char>(text[i])]) {
            const std::string& content = m_spec.addedTokens[static_cast<std::size_t>(index)].content;
            if (content.size() > bestLength && text.compare(i, content.size(), content) == 0) {
                best = index;
                bestLength = content.size();
            }
        }
        if (best < 0) {
            ++i;
            continue;
        }
        if (i > textStart)
            result.push_back({textStart, i, -1});
        result.push_back({i, i + bestLength, best});
        i += bestLength;
        textStart = i;
    }
    if (textStart < text.size())
        result.push_back({textStart, text.size(), -1});
    // lstrip / rstrip: the whitespace next to such a token belongs to no token.
    for (std::size_t k = 0; k < result.size(); ++k) {
        if (result[k].addedIndex < 0)
            continue;
        const AddedTokenSpec& added = m_spec.addedTokens[static_cast<std::size_t>(result[k].addedIndex)];
        if (added.lstrip && k > 0 && result[k - 1].addedIndex < 0)
            while (result[k - 1].end > result[k - 1].begin && isSpace(text[result[k - 1].end - 1]))
                --result[k - 1].end;
        if (added.rstrip && k + 1 < result.size() && result[k + 1].addedIndex < 0)
            while (result[k + 1].begin < result[k + 1].end && isSpace(text[result[k + 1].begin]))
                ++result[k + 1].begin;
    }
    return result;
}

void BpeBackend::encodeSegment(const std::string& text, std::size_t offset,
                               std::vector<Span>& out) const {
    std::vector<PrePiece> pieces{{text, 0, 0}};
    for (std::size_t s = 0; s < m_spec.preTokenizer.size(); ++s) {
        const PreTokenizerStep& step = m_spec.preTokenizer[s];
        if (step.kind == PreTokenizerStep::Kind::ByteLevel && step.addPrefixSpace)
            for (PrePiece& piece : pieces)
                if (piece.bytes[0] != ' ') {
                    piece.bytes.insert(piece.bytes.begin(), ' ');
                    ++piece.synthetic;
                }
        const RegexSplitter* splitter = m_splitters[s].get();
        if (!splitter)
            continue;
        std::vector<PrePiece> next;
        next.reserve(pieces.size() * 2);
        for (const PrePiece& piece : pieces) {
            for (const RegexSplitter::Piece& part : splitter->split(piece.bytes)) {
                PrePiece sub;
                sub.bytes = piece.bytes.substr(part.begin, part.end - part.begin);
                sub.synthetic = part.begin < piece.synthetic
                                    ? std::min(piece.synthetic, part.end) - part.begin
                                    : 0;
                sub.source = piece.source +
                             (part.begin > piece.synthetic ? part.begin - piece.synthetic : 0);
                next.push_back(std::move(sub));
            }
        }
        pieces = std::move(next);
    }
    std::vector<BpeMerger::Token> tokens;
    for (const PrePiece& piece : pieces) {
        tokens.clear();
        m_merger.encode(piece.bytes, tokens);
        std::size_t position = 0; // in piece.bytes
        auto sourceOf = [&](std::size_t at) {
            const std::size_t local = at > piece.synthetic ? at - piece.synthetic : 0;
            return std::min(offset + piece.source + local, offset + text.size());
        };
        for (const BpeMerger::Token& token : tokens) {
            out.push_back({token.id, sourceOf(position), sourceOf(position + token.bytes)});
            position += token.bytes;
        }
    }
}

void BpeBackend::encodeMetaspaceSegment(const std::string& text, std::size_t offset,
                                        std::vector<Span>& out) const {
    std::vector<BpeMerger::Token> tokens;
    for (const MetaspaceSplitter::Piece& piece : m_metaspace->split(text, offset == 0)) {
        tokens.clear();
        m_merger.encode(piece.text, tokens);
        std::size_t position = 0; // in piece.text
        for (const BpeMerger::Token& token : tokens) {
            out.push_back({token.id, offset + piece.source[position],
                           offset + piece.source[position + token.bytes]});
            position += token.bytes;
        }
    }
}

std::vector<BpeBackend::Span> BpeBackend::spans(const std::string& text, bool normalize) const {
    std::vector<Span> result;
    for (const Segment& segment : segments(text)) {
        if (segment.addedIndex >= 0) {
            const AddedTokenSpec& added =
                m_spec.addedTokens[static_cast<std::size_t>(segment.addedIndex)];
            result.push_back({added.id, segment.begin, segment.end});
            continue;
        }
        if (segment.end == segment.begin)
            continue;
        std::string stretch = text.substr(segment.begin, segment.end - segment.begin);
        if (normalize && m_spec.nfc)
            stretch = NfcNormalizer::normalize(stretch);
        if (stretch.empty())
            continue;
        if (m_spec.byteLevel)
            encodeSegment(stretch, segment.begin, result);
        else
            encodeMetaspaceSegment(stretch, segment.begin, result);
    }
    return result;
}

std::vector<int> BpeBackend::encode(const std::string& text) const {
    std::vector<int> ids;
    for (const Span& span : spans(text, /*normalize=*/true))
        ids.push_back(span.id);
    return ids;
}

WordAlignment BpeBackend::encodeWords(const std::vector<std::string>& words) const {
    std::vector<std::size_t> wordStart;
    const std::string sentence = Utf8Text::joinWords(
        words, wordStart,
        m_spec.nfc ? [](const std::string& word) { return NfcNormalizer::normalize(word); }
                   : std::function<std::string(const std::string&)>());
    WordAlignment alignment;
    alignment.firstSubToken.assign(words.size(), -1);
    if (words.empty())
        return alignment;
    // Word k's tokens are those that begin at or after the space before it (a "Ġword" token
    // begins at that space); its first sub-token is the first of them that covers a byte of
    // the word itself (a lone "Ġ" before digits does not).
    std::size_t word = 0;
    for (const Span& span : spans(sentence, /*normalize=*/false)) {
        while (word + 1 < words.size() && span.begin + 1 >= wordStart[word + 1])
            ++word;
        const int token = static_cast<int>(alignment.ids.size());
        alignment.ids.push_back(span.id);
        // Added tokens written in a word (special or not) belong to it, as Hugging Face's
        // word_ids() has it; only the BOS Tokenizer adds has no word.
        alignment.wordOfToken.push_back(static_cast<int>(word));
        if (alignment.firstSubToken[word] < 0 && span.end > wordStart[word])
            alignment.firstSubToken[word] = token;
    }
    return alignment; // words without a token of their own: Tokenizer::encodeWords refuses
}

void BpeBackend::checkIds(const std::vector<int>& ids) const {
    const int size = vocabSize();
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] < 0 || ids[i] >= size) {
            throw FsllmError("token id " + std::to_string(ids[i]) + " at position " +
                             std::to_string(i) + " is outside the vocabulary [0, " +
                             std::to_string(size) + ")");
        }
    }
}

std::vector<std::string> BpeBackend::pieces(const std::vector<int>& ids) const {
    checkIds(ids);
    std::vector<std::string> result;
    result.reserve(ids.size());
    for (const int id : ids)
        result.push_back(m_spec.pieces[static_cast<std::size_t>(id)]);
    return result;
}

std::string BpeBackend::decode(const std::vector<int>& ids) const {
    checkIds(ids);
    std::string bytes;
    for (const int id : ids) {
        if (m_special[static_cast<std::size_t>(id)])
            continue;
        const std::string& piece = m_spec.pieces[static_cast<std::size_t>(id)];
        if (m_spec.byteLevel) {
            const auto raw = ByteLevelAlphabet::bytesOf(piece);
            bytes += raw ? *raw : piece;
            continue;
        }
        if (m_spec.byteFallback && piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 &&
            piece[5] == '>') {
            const std::string hex = piece.substr(3, 2);
            if (hex.find_first_not_of("0123456789ABCDEF") == std::string::npos) {
                bytes += static_cast<char>(std::stoi(hex, nullptr, 16));
                continue;
            }
        }
        const std::string& marker = m_spec.spaceMarker;
        for (std::size_t at = 0; at < piece.size();) {
            if (!marker.empty() && piece.compare(at, marker.size(), marker) == 0) {
                bytes += ' ';
                at += marker.size();
            } else {
                bytes += piece[at++];
            }
        }
    }
    if (addsDummyPrefix() && !bytes.empty() && bytes.front() == ' ')
        bytes.erase(0, 1);
    return validUtf8(bytes);
}

bool BpeBackend::addsDummyPrefix() const {
    if (m_spec.byteLevel)
        return false;
    if (m_spec.metaspace)
        return m_spec.metaspaceSpec.prepend != MetaspaceSpec::Prepend::Never;
    for (const TextEdit& edit : m_spec.textEdits)
        if (edit.kind == TextEdit::Kind::Prepend)
            return true;
    return false;
}

int BpeBackend::vocabSize() const {
    return static_cast<int>(m_spec.pieces.size());
}

int BpeBackend::bosId() const {
    return m_spec.bosId;
}

int BpeBackend::eosId() const {
    return m_spec.eosId;
}

int BpeBackend::padId() const {
    return m_spec.padId;
}

int BpeBackend::unkId() const {
    return m_spec.unkId;
}

int BpeBackend::pieceToId(const std::string& piece) const {
    const auto it = m_idOfPiece.find(piece);
    return it == m_idOfPiece.end() ? m_spec.unkId : it->second;
}

} // namespace fsllm
