// Format-neutral text handling for the data readers: loading a whole file as checked UTF-8 (a
// leading byte-order mark is skipped; LF, CRLF or old-Mac CR line ends), iterating its lines
// with their 1-based numbers, trimming and splitting, and quoting values for error messages.
// Torch-free and Qt-free. Thread-safety: the static functions are pure; a LineCursor belongs to one
// thread and only reads the text it was given.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fsllm {

class TextFile {
public:
    // Iterates the lines of a text (LF or CRLF), counting them from 1. `text` must outlive it.
    class LineCursor {
    public:
        explicit LineCursor(std::string_view text) : m_text(text) {}
        // Stores the next line, without its line end, in `line`; false at the end of the text.
        bool next(std::string_view& line);
        // 1-based number of the line last returned by next(); 0 before the first.
        int number() const { return m_number; }

    private:
        std::string_view m_text;
        std::size_t m_pos = 0;
        int m_number = 0;
    };

    // The file's text without a UTF-8 byte-order mark, a lone CR (old Mac line end) turned into
    // LF. Throws FsllmError("<path>: ...") for a
    // folder or a file that cannot be opened, and FsllmError("<path>:<line>: ...") for an empty
    // (or blank) file and for invalid UTF-8 (naming the byte and its column).
    static std::string load(const std::string& path);

    // Offset of the first byte that does not start a well-formed UTF-8 sequence, or npos.
    static std::size_t invalidUtf8Offset(std::string_view text);
    // Number of lines; a last line without a line end counts.
    static int lineCount(std::string_view text);

    // ' ', '\t', '\r', '\n', '\v' or '\f'.
    static bool isSpace(char c);
    // `s` without surrounding white space.
    static std::string_view trimmed(std::string_view s);
    // Every part between separators, empty ones included ("a,,b" -> "a", "", "b").
    static std::vector<std::string_view> splitOn(std::string_view s, char separator);
    // The non-empty runs between white space.
    static std::vector<std::string_view> splitWhitespace(std::string_view s);

    // 'value' for messages, shortened at a UTF-8 character boundary when long, with control
    // characters written as \r, \t, \n or \xNN so the message stays on one line.
    static std::string inQuotes(std::string_view value);
    // "'a', 'b'" for messages; "none" for an empty list.
    static std::string inQuotesList(const std::vector<std::string>& names);
};

} // namespace fsllm
