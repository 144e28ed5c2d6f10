#include "csvparser.h"

#include "fsllmerror.h"

#include <utility>

namespace fsllm {

CsvParser::CsvParser(std::string_view text, std::string sourceName, char delimiter)
    : m_text(text), m_source(std::move(sourceName)), m_delimiter(delimiter) {}

bool CsvParser::atLineEnd() const {
    if (m_pos >= m_text.size())
        return false;
    if (m_text[m_pos] == '\n')
        return true;
    return m_text[m_pos] == '\r' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '\n';
}

void CsvParser::skipLineEnd() {
    m_pos += m_text[m_pos] == '\r' ? 2 : 1;
    ++m_line;
}

bool CsvParser::next(CsvRecord& record) {
    record.fields.clear();
    while (atLineEnd())
        skipLineEnd();
    if (m_pos >= m_text.size())
        return false;
    record.line = m_line;
    for (;;) {
        const bool quoted = m_pos < m_text.size() && m_text[m_pos] == '"';
        record.fields.push_back(quoted ? readQuotedField() : readPlainField());
        if (m_pos >= m_text.size())
            return true;
        if (atLineEnd()) {
            skipLineEnd();
            return true;
        }
        if (m_text[m_pos] != m_delimiter) { // only reachable after a closing quote
            throw FsllmError(m_source + ":" + std::to_string(m_line) + ": unexpected '" +
                             std::string(1, m_text[m_pos]) +
                             "' after the closing quote of a field; write a quote inside a "
                             "quoted field as two quotes (\"\")");
        }
        ++m_pos; // a delimiter at the end of a line leaves one empty field, read next
    }
}

// Reads from the opening quote to the closing one; "" is one quote, CRLF inside becomes LF.
std::string CsvParser::readQuotedField() {
    const int startLine = m_line;
    std::string field;
    ++m_pos; // opening quote
    for (;;) {
        const std::size_t quote = m_text.find('"', m_pos);
        if (quote == std::string_view::npos) {
            throw FsllmError(m_source + ":" + std::to_string(startLine) +
                             ": the quoted field that starts on this line is never closed; "
                             "add the closing quote (\"), and write quotes inside quoted fields "
                             "as two quotes (\"\")");
        }
        for (std::size_t i = m_pos; i < quote; ++i) {
            const char c = m_text[i];
            if (c == '\n')
                ++m_line;
            if (c == '\r' && i + 1 < quote && m_text[i + 1] == '\n')
                continue; // CRLF inside the field -> LF
            field += c;
        }
        m_pos = quote + 1;
        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
            field += '"';
            ++m_pos;
            continue;
        }
        return field;
    }
}

// Reads up to the delimiter or the end of the line; a stray quote inside is kept as text.
std::string CsvParser::readPlainField() {
    const std::size_t start = m_pos;
    while (m_pos < m_text.size() && m_text[m_pos] != m_delimiter && !atLineEnd())
        ++m_pos;
    return std::string(m_text.substr(start, m_pos - start));
}

} // namespace fsllm
