// The LibTorch rewrite of a torch.save pickle (see picklepatch.h). Opcode names and argument
// layouts follow Python's pickletools; what the rewrite writes follows LibTorch's unpickler.
#include "picklepatch.h"

#include "fsllmerror.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <vector>

namespace fsllm {

namespace {

constexpr const char* kOrderedDict = "collections\nOrderedDict\n";
constexpr char kNewObj = '\x81'; // LibTorch: pop the top of the stack

// One change to the copy: erase `erase` bytes at `at`, then insert `insert` there.
struct Edit {
    std::size_t at;
    std::size_t erase;
    std::string insert;
};

class Walker {
public:
    Walker(const std::string& pickle, const std::string& source)
        : m_pickle(pickle), m_source(source) {}

    std::string run(int* orderedDicts);

private:
    const std::string& m_pickle;
    const std::string& m_source;
    std::size_t m_at = 0;
    std::vector<std::size_t> m_starts;                         // per stack entry: its first byte
    std::vector<std::pair<std::size_t, std::size_t>> m_marks; // (stack size, MARK's byte)
    std::vector<Edit> m_edits;

    [[noreturn]] void fail(const std::string& problem) const {
        throw FsllmError(m_source + ": byte " + std::to_string(m_at) + ": " + problem +
                         "; the checkpoint is corrupt or not a torch.save state dict (re-save it "
                         "with torch.save, or convert it to safetensors)");
    }
    void need(std::size_t bytes) const {
        if (bytes > m_pickle.size() || m_at > m_pickle.size() - bytes)
            fail("the pickle ends inside an opcode's argument");
    }
    std::uint64_t fixed(int bytes) { // a little-endian argument
        need(static_cast<std::size_t>(bytes));
        std::uint64_t value = 0;
        for (int i = bytes - 1; i >= 0; --i)
            value = (value << 8) |
                    static_cast<unsigned char>(m_pickle[m_at + static_cast<std::size_t>(i)]);
        m_at += static_cast<std::size_t>(bytes);
        return value;
    }
    void counted(int lengthBytes) { // a length-prefixed argument
        const std::uint64_t length = fixed(lengthBytes);
        need(length);
        m_at += static_cast<std::size_t>(length);
    }
    std::string line() { // a newline-terminated argument, with its newline
        const std::size_t end = m_pickle.find('\n', m_at);
        if (end == std::string::npos)
            fail("the pickle ends inside a text argument");
        std::string text = m_pickle.substr(m_at, end + 1 - m_at);
        m_at = end + 1;
        return text;
    }
    // The first byte of stack entry `fromTop` (0 = top); the stack must hold it.
    std::size_t startOf(std::size_t fromTop) const {
        if (m_starts.size() <= fromTop)
            fail("an opcode takes more values than the stack holds");
        return m_starts[m_starts.size() - 1 - fromTop];
    }
    // Replaces the top `count` entries by one that starts where the lowest of them did.
    void combine(std::size_t count) {
        const std::size_t start = startOf(count - 1);
        m_starts.resize(m_starts.size() - count);
        m_starts.push_back(start);
    }
    void pop(std::size_t count) {
        (void)startOf(count - 1);
        m_starts.resize(m_starts.size() - count);
    }
    // Pops to the last MARK and returns the MARK's byte.
    std::size_t popToMark() {
        if (m_marks.empty())
            fail("an opcode needs a MARK that is not there");
        const auto [size, at] = m_marks.back();
        m_marks.pop_back();
        if (size > m_starts.size())
            fail("the stack is shorter than at its MARK");
        m_starts.resize(size);
        return at;
    }
    std::string applyEdits() const;
};

std::string Walker::run(int* orderedDicts) {
    std::set<std::uint64_t> orderedDictMemo; // memo slots holding the OrderedDict global
    bool orderedDictOnTop = false;           // the top entry is the OrderedDict global
    int rewritten = 0;
    while (true) {
        need(1);
        const std::size_t opcodeAt = m_at;
        const unsigned char op = static_cast<unsigned char>(m_pickle[m_at++]);
        bool pushesOrderedDict = false;
        bool keepsTop = false; // PROTO, FRAME and memo PUTs leave the stack as it is
        switch (op) {
        case '.': // STOP
            if (orderedDicts)
                *orderedDicts = rewritten;
            return applyEdits();
        case 0x80: fixed(1); keepsTop = true; break; // PROTO
        case 0x95: fixed(8); keepsTop = true; break; // FRAME
        case 'q': case 'r': { // BINPUT, LONG_BINPUT
            const std::uint64_t slot = fixed(op == 'q' ? 1 : 4);
            if (orderedDictOnTop)
                orderedDictMemo.insert(slot);
            keepsTop = true;
            break;
        }
        case 0x94: keepsTop = true; break; // MEMOIZE (protocol 4; no OrderedDict tracking)
        case 'c': { // GLOBAL module\nname\n (read in sequence: module first)
            const std::string module = line();
            pushesOrderedDict = module + line() == kOrderedDict;
            m_starts.push_back(opcodeAt);
            break;
        }
        case 'h': case 'j': // BINGET, LONG_BINGET
            pushesOrderedDict = orderedDictMemo.count(fixed(op == 'h' ? 1 : 4)) > 0;
            m_starts.push_back(opcodeAt);
            break;
        case ')': // EMPTY_TUPLE; "OrderedDict" ")" "R" -> NEWOBJ "}" (drop, empty dict)
            if (orderedDictOnTop && m_at < m_pickle.size() && m_pickle[m_at] == 'R') {
                m_edits.push_back({opcodeAt, 2, std::string{kNewObj, '}'}});
                ++m_at;
                ++rewritten;
                combine(1); // the dict takes the global's place
                break;
            }
            m_starts.push_back(opcodeAt);
            break;
        case '}': case ']': case 'N': case 0x88: case 0x89: // empty dict/list, None, bools
            m_starts.push_back(opcodeAt);
            break;
        case 'K': fixed(1); m_starts.push_back(opcodeAt); break; // BININT1
        case 'M': fixed(2); m_starts.push_back(opcodeAt); break; // BININT2
        case 'J': fixed(4); m_starts.push_back(opcodeAt); break; // BININT
        case 'G': fixed(8); m_starts.push_back(opcodeAt); break; // BINFLOAT
        case 0x8a: counted(1); m_starts.push_back(opcodeAt); break; // LONG1
        case 0x8b: counted(4); m_starts.push_back(opcodeAt); break; // LONG4
        case 'X': case 'T': case 'B': // BINUNICODE, BINSTRING, BINBYTES
            counted(4);
            m_starts.push_back(opcodeAt);
            break;
        case 'U': case 'C': case 0x8c: // SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
            counted(1);
            m_starts.push_back(opcodeAt);
            break;
        case '(': m_marks.emplace_back(m_starts.size(), opcodeAt); break; // MARK
        case 't': case 'l': case 'd': // TUPLE, LIST, DICT: the items since MARK -> one
            m_starts.push_back(popToMark());
            break;
        case 'u': case 'e': case '1': popToMark(); break; // SETITEMS, APPENDS, POP_MARK
        case 0x85: combine(1); break;                      // TUPLE1
        case 0x86: combine(2); break;                      // TUPLE2
        case 0x87: combine(3); break;                      // TUPLE3
        case 'R': case 0x81: case 0x93: combine(2); break; // REDUCE, NEWOBJ, STACK_GLOBAL
        case 'Q': combine(1); break;                       // BINPERSID
        case 'a': pop(1); break;                           // APPEND
        case '0': pop(1); break;                           // POP
        case '2': m_starts.push_back(startOf(0)); break;   // DUP
        case 'b': { // BUILD: remove it and the state it applies
            const std::size_t stateStart = startOf(0);
            (void)startOf(1);
            m_edits.push_back({stateStart, m_at - stateStart, std::string()});
            pop(1);
            break;
        }
        case 's': { // SETITEM "key value s" -> "( key value u"
            const std::size_t keyStart = startOf(1);
            (void)startOf(2);
            m_edits.push_back({keyStart, 0, "("});
            m_edits.push_back({opcodeAt, 1, "u"});
            pop(2);
            break;
        }
        default:
            m_at = opcodeAt;
            fail("pickle opcode 0x" + std::string(1, "0123456789abcdef"[op >> 4]) +
                 std::string(1, "0123456789abcdef"[op & 15]) +
                 " is not one torch.save writes for a state dict");
        }
        orderedDictOnTop = pushesOrderedDict || (keepsTop && orderedDictOnTop);
    }
}

std::string Walker::applyEdits() const {
    // Edits inside a removed BUILD state go with it.
    std::vector<Edit> edits;
    for (const Edit& edit : m_edits) {
        const bool inside = std::any_of(m_edits.begin(), m_edits.end(), [&](const Edit& removal) {
            return removal.insert.empty() && removal.erase > 0 && &removal != &edit &&
                   edit.at >= removal.at && edit.at < removal.at + removal.erase;
        });
        if (!inside)
            edits.push_back(edit);
    }
    // From the end, so earlier positions stay valid; at one position, replace before insert.
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
        return a.at != b.at ? a.at > b.at : a.erase > b.erase;
    });
    std::string result = m_pickle.substr(0, m_at); // up to and with STOP
    for (const Edit& edit : edits)
        result.replace(edit.at, edit.erase, edit.insert);
    return result;
}

} // namespace

std::string PicklePatch::rewrite(const std::string& pickle, const std::string& source,
                                 int* orderedDicts) {
    return Walker(pickle, source).run(orderedDicts);
}

} // namespace fsllm
