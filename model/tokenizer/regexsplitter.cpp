// PCRE2 split (see regexsplitter.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regexsplitter.h"

#include "fsllmerror.h"

#include <pcre2.h>

namespace fsllm {

namespace {

std::string pcreMessage(int code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof buffer);
    return reinterpret_cast<const char*>(buffer);
}

struct MatchData {
    pcre2_match_data* data;
    explicit MatchData(const pcre2_code* code)
        : data(pcre2_match_data_create_from_pattern(code, nullptr)) {
        if (!data)
            throw FsllmError("out of memory for a regex match");
    }
    ~MatchData() { pcre2_match_data_free(data); }
    MatchData(const MatchData&) = delete;
    MatchData& operator=(const MatchData&) = delete;
};

// Length of the UTF-8 character starting with `lead`.
std::size_t charLength(unsigned char lead) {
    if (lead < 0x80)
        return 1;
    if (lead >= 0xF0)
        return 4;
    if (lead >= 0xE0)
        return 3;
    return 2;
}

} // namespace

struct RegexSplitter::Impl {
    pcre2_code* code = nullptr;
    std::string pattern;
};

RegexSplitter::RegexSplitter(const std::string& pattern, bool literal, const std::string& source,
                             const std::string& field)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->pattern = pattern;
    int error = 0;
    PCRE2_SIZE offset = 0;
    const uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK | (literal ? PCRE2_LITERAL : 0);
    m_impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 options, &error, &offset, nullptr);
    if (!m_impl->code)
        throw FsllmError(source + ": field '" + field + "': regex does not compile: " +
                         pcreMessage(error) + " at offset " + std::to_string(offset));
    // JIT is an optimisation only: without it (unsupported CPU, no executable memory) the
    // interpreter gives the same matches.
    pcre2_jit_compile(m_impl->code, PCRE2_JIT_COMPLETE);
}

RegexSplitter::~RegexSplitter() {
    pcre2_code_free(m_impl->code);
}

std::vector<RegexSplitter::Piece> RegexSplitter::split(std::string_view text) const {
    std::vector<Piece> pieces;
    MatchData match(m_impl->code);
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    std::size_t start = 0;    // where the next search begins
    std::size_t uncovered = 0; // text before this is in pieces already
    while (start < text.size()) {
        const int rc = pcre2_match(m_impl->code, subject, text.size(), start, PCRE2_NO_UTF_CHECK,
                                   match.data, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0)
            throw FsllmError("cannot split the text with the tokenizer's regex (" +
                             pcreMessage(rc) + "); the text may be too long or unusual");
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.data);
        const std::size_t begin = ovector[0], end = ovector[1];
        if (end == begin) { // an empty match cuts nothing: look again one character on
            if (begin >= text.size())
                break;
            start = begin + charLength(static_cast<unsigned char>(text[begin]));
            continue;
        }
        if (begin > uncovered)
            pieces.push_back({uncovered, begin});
        pieces.push_back({begin, end});
        uncovered = start = end;
    }
    if (uncovered < text.size())
        pieces.push_back({uncovered, text.size()});
    return pieces;
}

} // namespace fsllm
