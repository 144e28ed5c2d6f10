// BPE merging (see bpemerger.h). Symbols form a linked list; candidate merges wait in
// a min-heap ordered by (rank, position) and are dropped when either side has changed since.
#include "bpemerger.h"

#include "bytelevelalphabet.h"
#include "tokenizerjson.h"

#include <algorithm>
#include <queue>

namespace fsllm {

namespace {

// The byte a sentencepiece byte piece "<0xNN>" (upper-case hex) stands for, or -1.
int byteOfPiece(const std::string& piece) {
    if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>')
        return -1;
    int value = 0;
    for (const char c : piece.substr(3, 2)) {
        const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

std::size_t utf8Length(unsigned char lead) {
    return lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

} // namespace

BpeMerger::BpeMerger(const TokenizerJsonSpec& spec)
    : m_unkId(spec.unkId), m_byteLevel(spec.byteLevel), m_ignoreMerges(spec.ignoreMerges),
      m_byteFallback(spec.byteFallback), m_fuseUnk(spec.fuseUnk) {
    m_byteId.fill(-1);
    std::unordered_map<std::string, int> idOfPiece;
    idOfPiece.reserve(spec.pieces.size());
    m_pieceToId.reserve(spec.pieces.size());
    for (std::size_t id = 0; id < spec.pieces.size(); ++id) {
        const std::string& piece = spec.pieces[id];
        if (piece.empty())
            continue;
        idOfPiece.emplace(piece, static_cast<int>(id));
        if (!m_byteLevel) {
            m_pieceToId.emplace(piece, static_cast<int>(id));
            const int byte = byteOfPiece(piece);
            if (byte >= 0 && m_byteId[static_cast<std::size_t>(byte)] < 0)
                m_byteId[static_cast<std::size_t>(byte)] = static_cast<int>(id);
            continue;
        }
        const auto bytes = ByteLevelAlphabet::bytesOf(piece);
        if (!bytes)
            continue;
        m_pieceToId.emplace(*bytes, static_cast<int>(id));
        if (bytes->size() == 1)
            m_byteId[static_cast<unsigned char>((*bytes)[0])] = static_cast<int>(id);
    }
    m_merges.reserve(spec.merges.size());
    for (std::size_t rank = 0; rank < spec.merges.size(); ++rank) {
        const auto& [left, right] = spec.merges[rank];
        const auto l = idOfPiece.find(left), r = idOfPiece.find(right);
        const auto merged = idOfPiece.find(left + right);
        if (l == idOfPiece.end() || r == idOfPiece.end() || merged == idOfPiece.end())
            continue; // TokenizerJson refuses such merges; a spec built by hand may have them
        // A repeated pair takes its last rank, as tokenizers (Rust and JS) build their maps.
        m_merges[pairKey(l->second, r->second)] = Merge{static_cast<int>(rank), merged->second};
    }
}

const BpeMerger::Merge* BpeMerger::mergeOf(int left, int right) const {
    const auto it = m_merges.find(pairKey(left, right));
    return it == m_merges.end() ? nullptr : &it->second;
}

void BpeMerger::encode(std::string_view bytes, std::vector<Token>& out) const {
    if (bytes.empty())
        return;
    if (m_ignoreMerges) {
        const auto whole = m_pieceToId.find(std::string(bytes));
        if (whole != m_pieceToId.end()) {
            out.push_back({whole->second, bytes.size()});
            return;
        }
    }
    std::vector<Symbol> symbols;
    symbols.reserve(bytes.size());
    if (m_byteLevel)
        byteSymbols(bytes, symbols);
    else
        characterSymbols(bytes, symbols);
    if (symbols.empty())
        return;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        symbols[i].prev = static_cast<int>(i) - 1;
        symbols[i].next = i + 1 < symbols.size() ? static_cast<int>(i) + 1 : -1;
    }
    merge(symbols);
    for (int i = 0; i >= 0; i = symbols[static_cast<std::size_t>(i)].next)
        out.push_back({symbols[static_cast<std::size_t>(i)].id,
                       symbols[static_cast<std::size_t>(i)].bytes});
}

void BpeMerger::byteSymbols(std::string_view bytes, std::vector<Symbol>& symbols) const {
    std::size_t pendingBytes = 0; // bytes of dropped symbols, added to the next kept one
    for (const char c : bytes) {
        int id = m_byteId[static_cast<unsigned char>(c)];
        if (id < 0)
            id = m_unkId;
        if (id < 0) {
            ++pendingBytes;
            continue;
        }
        symbols.push_back({id, 0, 0, 1 + pendingBytes});
        pendingBytes = 0;
    }
    if (!symbols.empty())
        symbols.back().bytes += pendingBytes;
}

void BpeMerger::characterSymbols(std::string_view text, std::vector<Symbol>& symbols) const {
    std::size_t pendingBytes = 0;
    bool lastWasUnknown = false; // the last symbol is an unk that stands for unknown characters
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t length =
            std::min(utf8Length(static_cast<unsigned char>(text[i])), text.size() - i);
        const std::string_view character = text.substr(i, length);
        i += length;
        const auto known = m_pieceToId.find(std::string(character));
        if (known != m_pieceToId.end()) {
            symbols.push_back({known->second, 0, 0, length + pendingBytes});
            pendingBytes = 0;
            lastWasUnknown = false;
            continue;
        }
        bool allBytes = m_byteFallback;
        for (const char c : character)
            allBytes = allBytes && m_byteId[static_cast<unsigned char>(c)] >= 0;
        if (allBytes) {
            for (const char c : character) {
                const int byteId = m_byteId[static_cast<unsigned char>(c)];
                symbols.push_back({byteId, 0, 0, 1 + pendingBytes});
                pendingBytes = 0;
            }
            lastWasUnknown = false;
        } else if (m_unkId < 0) {
            pendingBytes += length; // no unk token: the character is dropped
        } else if (m_fuseUnk && lastWasUnknown) {
            symbols.back().bytes += length + pendingBytes;
            pendingBytes = 0;
        } else {
            symbols.push_back({m_unkId, 0, 0, length + pendingBytes});
            pendingBytes = 0;
            lastWasUnknown = true;
        }
    }
    if (!symbols.empty())
        symbols.back().bytes += pendingBytes;
}

void BpeMerger::merge(std::vector<Symbol>& symbols) const {
    struct Candidate {
        int rank;
        int left;  // symbol index; also the position tie-break
        int leftId;
        int rightId;
        bool operator>(const Candidate& o) const {
            return rank != o.rank ? rank > o.rank : left > o.left;
        }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> heap;
    auto consider = [&](int left) {
        if (left < 0 || symbols[left].next < 0)
            return;
        const int right = symbols[left].next;
        if (const Merge* merge = mergeOf(symbols[left].id, symbols[right].id))
            heap.push({merge->rank, left, symbols[left].id, symbols[right].id});
    };
    for (int i = 0; i + 1 < static_cast<int>(symbols.size()); ++i)
        consider(i);
    while (!heap.empty()) {
        const Candidate top = heap.top();
        heap.pop();
        Symbol& left = symbols[top.left];
        if (left.id != top.leftId || left.next < 0 || left.bytes == 0)
            continue; // stale: merged away or changed since
        Symbol& right = symbols[left.next];
        if (right.id != top.rightId)
            continue;
        left.id = mergeOf(top.leftId, top.rightId)->result;
        left.bytes += right.bytes;
        right.bytes = 0; // marks it merged away
        left.next = right.next;
        if (right.next >= 0)
            symbols[right.next].prev = top.left;
        consider(left.prev);
        consider(top.left);
    }
}

} // namespace fsllm
