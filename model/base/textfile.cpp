#include "textfile.h"

#include "fsllmerror.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fsllm {

bool TextFile::LineCursor::next(std::string_view& line) {
    if (m_pos >= m_text.size())
        return false;
    std::size_t end = m_text.find('\n', m_pos);
    if (end == std::string_view::npos)
        end = m_text.size();
    line = m_text.substr(m_pos, end - m_pos);
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    m_pos = end + 1;
    ++m_number;
    return true;
}

std::string TextFile::load(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw FsllmError(path + ": this is a folder; give the path of a data file inside it");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw FsllmError(path + ": cannot open the file (" + std::strerror(errno) +
                         "); check the path and the file's permissions");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0)
        text.erase(0, 3);
    // Old Mac line ends: a CR not followed by LF ends a line too.
    for (std::size_t i = text.find('\r'); i != std::string::npos; i = text.find('\r', i + 1)) {
        if (i + 1 == text.size() || text[i + 1] != '\n')
            text[i] = '\n';
    }
    if (trimmed(text).empty())
        throw FsllmError(path + ":1: the file is empty; give a file with examples");
    const std::size_t bad = invalidUtf8Offset(text);
    if (bad != std::string_view::npos) {
        const std::size_t lineStart = text.rfind('\n', bad); // text[bad] is not '\n'
        const std::size_t column = lineStart == std::string::npos ? bad + 1 : bad - lineStart;
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
        const int line = lineCount(std::string_view(text).substr(0, bad + 1));
        throw FsllmError(path + ":" + std::to_string(line) + ": invalid UTF-8: byte " + byte +
                         " at column " + std::to_string(column) +
                         "; save the file as UTF-8 (it may be Latin-1 or Windows-1252)");
    }
    return text;
}

std::size_t TextFile::invalidUtf8Offset(std::string_view text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    auto continuation = [&](std::size_t i, unsigned lo, unsigned hi) {
        return i < size && bytes[i] >= lo && bytes[i] <= hi;
    };
    for (std::size_t i = 0; i < size;) {
        const unsigned b = bytes[i];
        std::size_t length = 0;
        if (b < 0x80)
            length = 1;
        else if (b >= 0xC2 && b <= 0xDF)
            length = continuation(i + 1, 0x80, 0xBF) ? 2 : 0;
        else if (b >= 0xE0 && b <= 0xEF) {
            const unsigned lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
            length = continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) ? 3 : 0;
        } else if (b >= 0xF0 && b <= 0xF4) {
            const unsigned lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
            length = continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) &&
                             continuation(i + 3, 0x80, 0xBF)
                         ? 4
                         : 0;
        }
        if (length == 0)
            return i;
        i += length;
    }
    return std::string_view::npos;
}

int TextFile::lineCount(std::string_view text) {
    const auto breaks = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    return breaks + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

bool TextFile::isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view TextFile::trimmed(std::string_view s) {
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> TextFile::splitOn(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t end = s.find(separator, start);
        parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

std::vector<std::string_view> TextFile::splitWhitespace(std::string_view s) {
    std::vector<std::string_view> parts;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && isSpace(s[i]))
            ++i;
        const std::size_t start = i;
        while (i < s.size() && !isSpace(s[i]))
            ++i;
        if (i > start)
            parts.push_back(s.substr(start, i - start));
    }
    return parts;
}

std::string TextFile::inQuotes(std::string_view value) {
    constexpr std::size_t kMaxShown = 60;
    std::size_t cut = value.size();
    if (cut > kMaxShown) {
        cut = kMaxShown;
        while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80)
            --cut;
    }
    std::string out = "'";
    for (const char c : value.substr(0, cut)) {
        // Control characters (a carriage return, a tab) would break the one-line message.
        if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\n')
            out += "\\n";
        else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X",
                          static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += hex;
        } else
            out += c;
    }
    return out + (cut < value.size() ? "...'" : "'");
}

std::string TextFile::inQuotesList(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names)
        out += (out.empty() ? "" : ", ") + inQuotes(name);
    return out.empty() ? "none" : out;
}

} // namespace fsllm
