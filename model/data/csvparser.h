// An RFC 4180 CSV record reader over text already in memory: quoted fields may hold the
// delimiter, doubled quotes ("") and line breaks; records end in LF or CRLF; blank lines are
// skipped. Each record knows the line it starts on, and every error names "<source>:<line>".
// Thread-safety: one parser per thread; it only reads the text it was given.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fsllm {

struct CsvRecord {
    std::vector<std::string> fields;
    int line = 0; // 1-based line where the record starts
};

class CsvParser {
public:
    // `text` must outlive the parser. `sourceName` prefixes error messages (usually the path).
    CsvParser(std::string_view text, std::string sourceName, char delimiter = ',');

    // Reads the next record into `record`; returns false at the end of the text. Throws
    // FsllmError for a quoted field that is never closed (naming the line where it started)
    // and for text after a closing quote.
    bool next(CsvRecord& record);

private:
    bool atLineEnd() const;
    void skipLineEnd();
    std::string readQuotedField();
    std::string readPlainField();

    std::string_view m_text;
    std::string m_source;
    char m_delimiter;
    std::size_t m_pos = 0;
    int m_line = 1;
};

} // namespace fsllm
