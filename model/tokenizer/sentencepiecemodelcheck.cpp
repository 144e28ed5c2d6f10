// The sentencepiece model check (see sentencepiecemodelcheck.h). It mirrors what 0.1.97 reads:
// Normalizer::Init (DecodePrecompiledCharsMap) splits the charsmap into trie and strings, and
// Normalizer::NormalizePrefix runs darts-clone's commonPrefixSearch, which for each input byte c
// reads unit (node ^ offset) ^ c without a bounds check, and for a unit with a leaf reads the
// leaf's value and then a NUL-terminated string at that offset in the strings.
// Thread-safety: pure functions.
#include "sentencepiecemodelcheck.h"

#include "fsllmerror.h"
#include "protowirereader.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace fsllm {

namespace {

constexpr std::uint64_t kPiecesField = 1;           // ModelProto.pieces
constexpr std::uint64_t kPieceTextField = 1;        // SentencePiece.piece
constexpr std::uint64_t kNormalizerSpecField = 3;   // ModelProto.normalizer_spec
constexpr std::uint64_t kDenormalizerSpecField = 5; // ModelProto.denormalizer_spec
constexpr std::uint64_t kCharsmapField = 2;         // NormalizerSpec.precompiled_charsmap
constexpr std::size_t kUnitBytes = 4;
constexpr std::size_t kSizeBytes = 4;

// darts-clone's DoubleArrayUnit, decoded from its 32-bit word.
struct Unit {
    std::uint32_t word = 0;

    bool hasLeaf() const { return ((word >> 8) & 1) == 1; }
    std::uint32_t value() const { return word & ((1U << 31) - 1); }
    std::uint32_t label() const { return word & ((1U << 31) | 0xFF); }
    std::uint32_t offset() const { return (word >> 10) << ((word & (1U << 9)) >> 6); }
};

std::uint32_t littleEndian32(const char* bytes) {
    const auto* b = reinterpret_cast<const unsigned char*>(bytes);
    return std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 |
           std::uint32_t(b[3]) << 24;
}

// The last precompiled_charsmap of one NormalizerSpec message, if it sets one.
std::optional<std::string_view> charsmapOf(std::string_view spec) {
    std::optional<std::string_view> charsmap;
    ProtoWireReader reader(spec);
    while (!reader.atEnd()) {
        const ProtoWireReader::Key key = reader.key();
        if (key.field == kCharsmapField && key.wireType == 2)
            charsmap = reader.lengthDelimited();
        else
            reader.skip(key);
    }
    return charsmap;
}

// The text of one SentencePiece message (its last `piece` field; "" when it has none).
std::string_view pieceTextOf(std::string_view message) {
    std::string_view text;
    ProtoWireReader reader(message);
    while (!reader.atEnd()) {
        const ProtoWireReader::Key key = reader.key();
        if (key.field == kPieceTextField && key.wireType == 2)
            text = reader.lengthDelimited();
        else
            reader.skip(key);
    }
    return text;
}

} // namespace

std::string SentencepieceModelCheck::charsmapProblem(std::string_view charsmap) {
    if (charsmap.empty())
        return {};
    if (charsmap.size() <= kSizeBytes)
        return "it is " + std::to_string(charsmap.size()) +
               " bytes, too short for its 4-byte trie size and a trie";
    const std::uint32_t trieBytes = littleEndian32(charsmap.data());
    const std::size_t available = charsmap.size() - kSizeBytes;
    if (trieBytes > available)
        return "its trie size " + std::to_string(trieBytes) + " exceeds the " +
               std::to_string(available) + " bytes that follow it";
    if (trieBytes == 0 || trieBytes % kUnitBytes != 0)
        return "its trie size " + std::to_string(trieBytes) +
               " is not a positive multiple of 4 (the size of a trie unit)";
    const char* trie = charsmap.data() + kSizeBytes;
    const std::string_view strings = charsmap.substr(kSizeBytes + trieBytes);
    const std::size_t units = trieBytes / kUnitBytes;
    const auto unitAt = [&](std::size_t index) {
        return Unit{littleEndian32(trie + index * kUnitBytes)};
    };

    // Every node a prefix search can stand on, from the root; each is visited once (a corrupt
    // trie may have cycles).
    std::vector<bool> reached(units, false);
    std::vector<std::size_t> pending{0};
    reached[0] = true;
    while (!pending.empty()) {
        const std::size_t node = pending.back();
        pending.pop_back();
        const Unit unit = unitAt(node);
        const std::size_t base = node ^ unit.offset();
        // The search reads base ^ c for whatever byte c comes next: all 256 must be in the trie.
        if ((base | 0xFF) >= units)
            return "trie unit " + std::to_string(node) + " points to units up to " +
                   std::to_string(base | 0xFF) + ", past the end of the trie (" +
                   std::to_string(units) + " units)";
        if (node != 0 && unit.hasLeaf()) {
            const std::uint32_t value = unitAt(base).value();
            if (value >= strings.size())
                return "trie unit " + std::to_string(base) + " holds string offset " +
                       std::to_string(value) + ", past the end of the " +
                       std::to_string(strings.size()) + " bytes of normalized strings";
            if (std::memchr(strings.data() + value, '\0', strings.size() - value) == nullptr)
                return "the normalized string at offset " + std::to_string(value) +
                       " does not end with a NUL byte inside the table";
        }
        for (std::uint32_t c = 0; c < 256; ++c) {
            const std::size_t child = base ^ c;
            if (unitAt(child).label() == c && !reached[child]) {
                reached[child] = true;
                pending.push_back(child);
            }
        }
    }
    return {};
}

void SentencepieceModelCheck::check(std::string_view modelBytes, const std::string& path) {
    // A singular message field that occurs several times is merged; its last charsmap wins.
    std::optional<std::string_view> normalizer, denormalizer;
    long pieceIndex = 0, badPiece = -1;
    try {
        ProtoWireReader reader(modelBytes);
        while (!reader.atEnd()) {
            const ProtoWireReader::Key key = reader.key();
            if (key.field == kPiecesField && key.wireType == 2) {
                // sentencepiece builds a darts-clone trie of the pieces, which throws through
                // a noexcept function (std::terminate) on an empty piece or one holding a NUL.
                const std::string_view text = pieceTextOf(reader.lengthDelimited());
                if (badPiece < 0 && (text.empty() || text.find('\0') != std::string_view::npos))
                    badPiece = pieceIndex;
                ++pieceIndex;
                continue;
            }
            const bool spec =
                key.field == kNormalizerSpecField || key.field == kDenormalizerSpecField;
            if (!spec || key.wireType != 2) {
                reader.skip(key);
                continue;
            }
            if (const auto charsmap = charsmapOf(reader.lengthDelimited()))
                (key.field == kNormalizerSpecField ? normalizer : denormalizer) = charsmap;
        }
    } catch (const FsllmError& e) {
        throw FsllmError(path + ": not a valid sentencepiece tokenizer model (" + e.what() +
                         "); copy tokenizer.model again from the original checkpoint");
    }
    if (badPiece >= 0)
        throw FsllmError(path + ": piece " + std::to_string(badPiece) +
                         " of the vocabulary is empty or holds a NUL byte; copy tokenizer.model "
                         "again from the original checkpoint");
    const struct {
        const char* name;
        const std::optional<std::string_view>& charsmap;
    } tables[] = {{"normalizer_spec", normalizer}, {"denormalizer_spec", denormalizer}};
    for (const auto& table : tables) {
        if (!table.charsmap)
            continue;
        const std::string problem = charsmapProblem(*table.charsmap);
        if (!problem.empty())
            throw FsllmError(path +
                             ": the tokenizer's normalization table (precompiled_charsmap "
                             "of " +
                             table.name + ") is corrupt: " + problem +
                             "; copy tokenizer.model again from the original checkpoint");
    }
}

} // namespace fsllm
