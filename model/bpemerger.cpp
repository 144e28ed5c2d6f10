// Byte-level BPE merging (see bpemerger.h). Symbols form a linked list; candidate merges wait in
// a min-heap ordered by (rank, position) and are dropped when either side has changed since.
#include "bpemerger.h"

#include "bytelevelalphabet.h"
#include "tokenizerjson.h"

#include <queue>

namespace fsllm {

BpeMerger::BpeMerger(const TokenizerJsonSpec& spec)
    : m_unkId(spec.unkId), m_ignoreMerges(spec.ignoreMerges) {
    m_byteId.fill(-1);
    std::unordered_map<std::string, int> idOfPiece;
    idOfPiece.reserve(spec.pieces.size());
    m_bytesToId.reserve(spec.pieces.size());
    for (std::size_t id = 0; id < spec.pieces.size(); ++id) {
        const std::string& piece = spec.pieces[id];
        if (piece.empty())
            continue;
        idOfPiece.emplace(piece, static_cast<int>(id));
        const auto bytes = ByteLevelAlphabet::bytesOf(piece);
        if (!bytes)
            continue;
        m_bytesToId.emplace(*bytes, static_cast<int>(id));
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
        const auto whole = m_bytesToId.find(std::string(bytes));
        if (whole != m_bytesToId.end()) {
            out.push_back({whole->second, bytes.size()});
            return;
        }
    }
    struct Symbol {
        int id;
        int prev;
        int next;
        std::size_t bytes;
    };
    std::vector<Symbol> symbols;
    symbols.reserve(bytes.size());
    std::size_t pendingBytes = 0; // bytes of dropped symbols, added to the next kept one
    for (const char c : bytes) {
        int id = m_byteId[static_cast<unsigned char>(c)];
        if (id < 0)
            id = m_unkId;
        if (id < 0) {
            ++pendingBytes;
            continue;
        }
        const int index = static_cast<int>(symbols.size());
        symbols.push_back({id, index - 1, index + 1, 1 + pendingBytes});
        pendingBytes = 0;
    }
    if (symbols.empty())
        return;
    symbols.back().next = -1;
    symbols.back().bytes += pendingBytes;

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
    for (int i = 0; i >= 0; i = symbols[i].next)
        out.push_back({symbols[i].id, symbols[i].bytes});
}

} // namespace fsllm
