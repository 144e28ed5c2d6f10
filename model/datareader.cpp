#include "datareader.h"

#include "csvparser.h"
#include "fsllmerror.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <string_view>

namespace fsllm {

namespace {

using nlohmann::json;

// Indexed by DataFormat.
constexpr const char* kFormatNames[] = {"auto", "tsv", "sentence", "csv", "jsonl", "conll"};

// Throws FsllmError("<path>:<line>: " + the parts, concatenated).
template <typename... Parts>
[[noreturn]] void fail(const std::string& path, int line, const Parts&... parts) {
    std::string message = path + ":" + std::to_string(line) + ": ";
    ((message += parts), ...);
    throw FsllmError(message);
}

// 'value' for messages, shortened at a UTF-8 character boundary when long.
std::string inQuotes(std::string_view value) {
    constexpr std::size_t kMaxShown = 60;
    if (value.size() <= kMaxShown)
        return "'" + std::string(value) + "'";
    std::size_t cut = kMaxShown;
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80)
        --cut;
    return "'" + std::string(value.substr(0, cut)) + "...'";
}

std::string inQuotesList(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names)
        out += (out.empty() ? "" : ", ") + inQuotes(name);
    return out.empty() ? "none" : out;
}

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> splitOn(std::string_view s, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t end = s.find(separator, start);
        parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos)
            return parts;
        start = end + 1;
    }
}

std::vector<std::string_view> splitWhitespace(std::string_view s) {
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

// Iterates the lines of a text (LF or CRLF), counting them from 1.
class LineCursor {
public:
    explicit LineCursor(std::string_view text) : m_text(text) {}
    bool next(std::string_view& line) {
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
    int number() const { return m_number; }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
    int m_number = 0;
};

// Offset of the first byte that does not start a well-formed UTF-8 sequence, or npos.
std::size_t invalidUtf8Offset(std::string_view text) {
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

int lineCount(std::string_view text) {
    const auto breaks = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
    return breaks + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// The file's text without a UTF-8 byte-order mark; refuses folders, unreadable, empty and
// non-UTF-8 files.
std::string loadText(const std::string& path) {
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
    if (trimmed(text).empty())
        fail(path, 1, "the file is empty; give a file with examples");
    const std::size_t bad = invalidUtf8Offset(text);
    if (bad != std::string_view::npos) {
        const std::size_t lineStart = text.rfind('\n', bad); // text[bad] is not '\n'
        const std::size_t column = lineStart == std::string::npos ? bad + 1 : bad - lineStart;
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[bad]));
        fail(path, lineCount(std::string_view(text).substr(0, bad + 1)), "invalid UTF-8: byte ",
             byte, " at column ", std::to_string(column),
             "; save the file as UTF-8 (it may be Latin-1 or Windows-1252)");
    }
    return text;
}

// ---- Columns of TSV and CSV files --------------------------------------------------------

// Which fields make an example: the text columns (joined with a space) and the label column.
struct ColumnPlan {
    std::vector<std::size_t> text;
    std::size_t label = 0;
    std::size_t width = 0; // fields every row must have
    std::string widthNote; // "the header has 2" | "2 column names were given"
    std::string fieldHint; // what usually causes a wrong field count in this format
};

// "title+description" -> {"title", "description"}, unless the whole name is a column.
std::vector<std::string> columnNames(const std::string& spec,
                                     const std::vector<std::string>& available) {
    if (std::find(available.begin(), available.end(), spec) != available.end())
        return {spec};
    std::vector<std::string> names;
    for (std::string_view part : splitOn(spec, '+'))
        names.emplace_back(trimmed(part));
    return names;
}

std::size_t requireColumn(const std::vector<std::string>& header, const std::string& name,
                          const char* role, const std::string& path, int line) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
        fail(path, line, "no ", role, " column ", inQuotes(name), " (the columns are ",
             inQuotesList(header), "); choose one of these as the ", role, " column");
    }
    return static_cast<std::size_t>(it - header.begin());
}

ColumnPlan planColumns(const std::vector<std::string>& header, const DataReadOptions& options,
                       const std::string& path, int line) {
    ColumnPlan plan;
    plan.width = header.size();
    std::vector<std::string> textNames;
    if (!options.textColumn.empty()) {
        textNames = columnNames(options.textColumn, header);
    } else {
        for (const char* name : {"sentence", "text"}) {
            if (std::find(header.begin(), header.end(), name) != header.end()) {
                textNames = {name};
                break;
            }
        }
        if (textNames.empty()) {
            fail(path, line, "no 'sentence' or 'text' column (the columns are ",
                 inQuotesList(header),
                 "); choose the text column, or several joined with '+' such as "
                 "'title+description'");
        }
    }
    for (const std::string& name : textNames)
        plan.text.push_back(requireColumn(header, name, "text", path, line));
    plan.label = requireColumn(header, options.labelColumn.empty() ? "label" : options.labelColumn,
                               "label", path, line);
    return plan;
}

template <typename Field>
RawExample exampleFromFields(const std::vector<Field>& fields, const ColumnPlan& plan,
                             const std::string& path, int line) {
    if (fields.size() != plan.width) {
        fail(path, line, "the row has ", std::to_string(fields.size()), " field(s) but ",
             plan.widthNote, "; ", plan.fieldHint);
    }
    RawExample example;
    example.line = line;
    example.label = std::string(trimmed(fields[plan.label]));
    if (example.label.empty())
        fail(path, line, "the label is empty; give every example a label or remove the row");
    for (std::size_t column : plan.text) {
        const std::string_view part = trimmed(fields[column]);
        if (!part.empty())
            example.text += (example.text.empty() ? "" : " ") + std::string(part);
    }
    return example;
}

std::vector<RawExample> readTsv(const std::string& path, std::string_view text,
                                const DataReadOptions& options) {
    LineCursor lines(text);
    std::string_view line;
    while (lines.next(line) && trimmed(line).empty()) {
    }
    std::vector<std::string> header;
    for (std::string_view name : splitOn(line, '\t'))
        header.emplace_back(trimmed(name));
    ColumnPlan plan = planColumns(header, options, path, lines.number());
    plan.widthNote = "the header has " + std::to_string(plan.width);
    plan.fieldHint = "TSV fields are separated by tabs, so the text must not contain one";
    std::vector<RawExample> examples;
    while (lines.next(line)) {
        if (!trimmed(line).empty())
            examples.push_back(exampleFromFields(splitOn(line, '\t'), plan, path, lines.number()));
    }
    return examples;
}

std::vector<RawExample> readCsv(const std::string& path, std::string_view text,
                                const DataReadOptions& options) {
    CsvParser parser(text, path);
    CsvRecord record;
    const bool named = !options.csvColumns.empty();
    if (!named)
        parser.next(record); // the header row; the file is known not to be blank
    std::vector<std::string> header;
    for (const std::string& name : named ? options.csvColumns : record.fields)
        header.emplace_back(trimmed(name));
    ColumnPlan plan = planColumns(header, options, path, named ? 1 : record.line);
    plan.widthNote = named ? std::to_string(plan.width) + " column names were given"
                           : "the header has " + std::to_string(plan.width);
    plan.fieldHint = "put a field that contains commas in double quotes (\"a, b\")";
    std::vector<RawExample> examples;
    while (parser.next(record))
        examples.push_back(exampleFromFields(record.fields, plan, path, record.line));
    return examples;
}

std::vector<RawExample> readSentenceLabel(const std::string& path, std::string_view text) {
    std::vector<RawExample> examples;
    LineCursor lines(text);
    std::string_view line;
    while (lines.next(line)) {
        line = trimmed(line);
        if (line.empty())
            continue;
        const std::size_t gap = line.find_first_of(" \t");
        if (gap == std::string_view::npos) {
            fail(path, lines.number(), "expected '<label> <text>' but the line holds only ",
                 inQuotes(line), "; write the label, a space, then the text");
        }
        RawExample example;
        example.line = lines.number();
        example.label = std::string(line.substr(0, gap));
        example.text = std::string(trimmed(line.substr(gap)));
        examples.push_back(std::move(example));
    }
    return examples;
}

// ---- JSON Lines ---------------------------------------------------------------------------

json parseJsonLine(const std::string& path, int line, std::string_view text) {
    json value;
    try {
        value = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        std::string reason = e.what();
        const std::size_t tag = reason.find("] ");
        if (reason.front() == '[' && tag != std::string::npos)
            reason.erase(0, tag + 2);
        fail(path, line, "invalid JSON (", reason,
             "); JSON Lines needs one complete object per line");
    }
    if (!value.is_object()) {
        fail(path, line, "the line holds a JSON ", value.type_name(),
             ", not an object; JSON Lines needs one object per line (write each element of an "
             "array on its own line)");
    }
    return value;
}

std::vector<std::string> keysOf(const json& object) {
    std::vector<std::string> keys;
    for (auto it = object.begin(); it != object.end(); ++it)
        keys.push_back(it.key());
    return keys;
}

// `explicitKey` if set, else the first of `defaults` the object has.
std::string chooseKey(const json& object, const std::string& explicitKey,
                      std::initializer_list<const char*> defaults, const char* role,
                      const std::string& path, int line) {
    std::vector<std::string> candidates;
    if (!explicitKey.empty())
        candidates.push_back(explicitKey);
    else
        candidates.assign(defaults.begin(), defaults.end());
    for (const std::string& key : candidates) {
        if (object.contains(key))
            return key;
    }
    std::string wanted;
    for (const std::string& key : candidates)
        wanted += (wanted.empty() ? "" : " or ") + inQuotes(key);
    fail(path, line, "no ", wanted, " key (the keys are ", inQuotesList(keysOf(object)),
         "); choose the ", role, " key");
}

// A label may be a string or an integer (its decimal string).
std::string jsonLabel(const json& value, const std::string& key, const std::string& path,
                      int line) {
    std::string label;
    if (value.is_string())
        label = std::string(trimmed(value.get_ref<const std::string&>()));
    else if (value.is_number_integer())
        label = value.dump();
    else
        fail(path, line, "label key ", inQuotes(key), " holds ", inQuotes(value.dump()),
             "; a label must be a string or an integer");
    if (label.empty())
        fail(path, line, "the label is empty; give every example a label or remove the line");
    return label;
}

RawExample sequenceFromJson(const json& object, const DataReadOptions& options,
                            const std::string& path, int line) {
    RawExample example;
    example.line = line;
    std::vector<std::string> textKeys;
    if (options.textColumn.empty())
        textKeys = {chooseKey(object, "", {"sentence", "text"}, "text", path, line)};
    else
        textKeys = columnNames(options.textColumn, keysOf(object));
    for (const std::string& key : textKeys) {
        const json& value = object.at(chooseKey(object, key, {}, "text", path, line));
        if (!value.is_string())
            fail(path, line, "text key ", inQuotes(key), " holds ", inQuotes(value.dump()),
                 "; store the text as a JSON string");
        const std::string part(trimmed(value.get_ref<const std::string&>()));
        if (!part.empty())
            example.text += (example.text.empty() ? "" : " ") + part;
    }
    const std::string labelKey = options.labelColumn.empty() ? "label" : options.labelColumn;
    chooseKey(object, labelKey, {}, "label", path, line);
    example.label = jsonLabel(object.at(labelKey), labelKey, path, line);
    return example;
}

std::vector<std::string> jsonStrings(const json& value, const std::string& key, bool tags,
                                     const std::string& path, int line) {
    if (!value.is_array())
        fail(path, line, "key ", inQuotes(key), " must hold an array of strings");
    std::vector<std::string> out;
    for (const json& item : value) {
        if (tags && item.is_number_integer()) {
            fail(path, line, "key ", inQuotes(key),
                 " holds integer tags; write the tag names (\"B-PER\", \"O\") instead of ids");
        }
        if (!item.is_string() || item.get_ref<const std::string&>().empty())
            fail(path, line, "key ", inQuotes(key), " must hold non-empty strings, found ",
                 inQuotes(item.dump()));
        out.push_back(item.get<std::string>());
    }
    return out;
}

RawExample tokensFromJson(const json& object, const DataReadOptions& options,
                          const std::string& path, int line) {
    const std::string wordsKey =
        chooseKey(object, options.textColumn, {"tokens", "words"}, "words", path, line);
    const std::string tagsKey =
        chooseKey(object, options.labelColumn, {"tags", "ner_tags"}, "tags", path, line);
    RawExample example;
    example.line = line;
    example.words = jsonStrings(object.at(wordsKey), wordsKey, false, path, line);
    example.tags = jsonStrings(object.at(tagsKey), tagsKey, true, path, line);
    if (example.words.size() != example.tags.size()) {
        fail(path, line, std::to_string(example.words.size()), " words but ",
             std::to_string(example.tags.size()), " tags; give one tag per word");
    }
    return example;
}

std::vector<RawExample> readJsonl(const std::string& path, std::string_view text,
                                  const DataReadOptions& options) {
    std::vector<RawExample> examples;
    LineCursor lines(text);
    std::string_view line;
    while (lines.next(line)) {
        if (trimmed(line).empty())
            continue;
        const json object = parseJsonLine(path, lines.number(), line);
        if (options.task == TaskKind::Sequence) {
            examples.push_back(sequenceFromJson(object, options, path, lines.number()));
        } else {
            RawExample example = tokensFromJson(object, options, path, lines.number());
            if (!example.words.empty()) // an empty sentence carries nothing to learn
                examples.push_back(std::move(example));
        }
    }
    return examples;
}

// ---- CoNLL columns ------------------------------------------------------------------------

std::vector<RawExample> readConll(const std::string& path, std::string_view text, int tagColumn) {
    if (tagColumn < -1 || tagColumn == 0) {
        throw FsllmError(path + ": CoNLL tag column " + std::to_string(tagColumn) +
                         " is not a tag column; choose 1 or more (0 is the token), or -1 for "
                         "the last");
    }
    std::vector<RawExample> examples;
    RawExample sentence;
    auto finishSentence = [&] {
        if (!sentence.words.empty())
            examples.push_back(std::move(sentence));
        sentence = RawExample{};
    };
    LineCursor lines(text);
    std::string_view line;
    while (lines.next(line)) {
        const std::vector<std::string_view> columns = splitWhitespace(line);
        if (columns.empty() || columns.front() == "-DOCSTART-") {
            finishSentence();
            continue;
        }
        if (columns.size() < 2) {
            fail(path, lines.number(), "the line ", inQuotes(trimmed(line)),
                 " has a token but no tag; write 'token ... tag' with a blank line between "
                 "sentences");
        }
        const std::size_t tag = tagColumn < 0 ? columns.size() - 1 : std::size_t(tagColumn);
        if (tag >= columns.size()) {
            fail(path, lines.number(), "the line has ", std::to_string(columns.size()),
                 " columns but the tag column is ", std::to_string(tagColumn),
                 " (0-based); choose a smaller tag column, or -1 for the last");
        }
        if (sentence.words.empty())
            sentence.line = lines.number();
        sentence.words.emplace_back(columns.front());
        sentence.tags.emplace_back(columns[tag]);
    }
    finishSentence();
    return examples;
}

// ---- Format detection ---------------------------------------------------------------------

bool looksLikeTag(std::string_view tag) {
    return tag == "O" ||
           (tag.size() > 2 && tag[1] == '-' && std::strchr("BIESLU", tag[0]) != nullptr);
}

// True when the first lines all look like "token ... tag" rows with the same column count.
bool looksLikeConll(std::string_view text) {
    constexpr int kLinesToCheck = 20;
    LineCursor lines(text);
    std::string_view line;
    std::size_t width = 0;
    for (int checked = 0; checked < kLinesToCheck && lines.next(line);) {
        const std::vector<std::string_view> columns = splitWhitespace(line);
        if (columns.empty())
            continue;
        if (columns.size() < 2 || (width != 0 && columns.size() != width) ||
            !looksLikeTag(columns.back()))
            return false;
        width = columns.size();
        ++checked;
    }
    return width != 0;
}

DataFormat detectFormat(const std::string& path, std::string_view text, TaskKind task) {
    std::string extension = std::filesystem::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (extension == ".tsv")
        return DataFormat::Tsv;
    if (extension == ".csv")
        return DataFormat::Csv;
    if (extension == ".jsonl" || extension == ".json" || extension == ".ndjson")
        return DataFormat::Jsonl;
    if (extension == ".conll" || extension == ".bio" || extension == ".iob" ||
        extension == ".iobes" || extension == ".bioes")
        return DataFormat::Conll;

    LineCursor lines(text);
    std::string_view first;
    while (lines.next(first) && trimmed(first).empty()) {
    }
    first = trimmed(first);
    if (first.rfind("-DOCSTART-", 0) == 0)
        return DataFormat::Conll;
    if (first.front() == '{')
        return DataFormat::Jsonl;
    if (task == TaskKind::Token || looksLikeConll(text))
        return DataFormat::Conll;
    const std::vector<std::string_view> cells = splitOn(first, '\t');
    if (std::find(cells.begin(), cells.end(), "label") != cells.end())
        return DataFormat::Tsv;
    if (first.find_first_of(" \t") != std::string_view::npos)
        return DataFormat::SentenceLabel;
    fail(path, lines.number(), "cannot tell the data format from the first line ", inQuotes(first),
         "; choose the format (tsv, sentence, csv, jsonl or conll)");
}

void checkTaskFits(const std::string& path, DataFormat format, TaskKind task) {
    if (task == TaskKind::Token && format != DataFormat::Conll && format != DataFormat::Jsonl) {
        throw FsllmError(path + ": a " + dataFormatName(format) +
                         " file holds one label per "
                         "text, but the task is token; use task seq, or a CoNLL or JSON Lines "
                         "file with one tag per word");
    }
    if (task == TaskKind::Sequence && format == DataFormat::Conll) {
        throw FsllmError(path + ": a CoNLL file holds one tag per word, but the task is seq; "
                                "use task token, or a tsv/sentence/csv/jsonl file with one label "
                                "per text");
    }
}

} // namespace

DataFormat dataFormatFromName(const std::string& name) {
    for (std::size_t i = 0; i < std::size(kFormatNames); ++i) {
        if (name == kFormatNames[i])
            return static_cast<DataFormat>(i);
    }
    throw FsllmError("unknown data format '" + name +
                     "'; choose auto, tsv, sentence, csv, jsonl or conll");
}

const char* dataFormatName(DataFormat format) {
    const auto index = static_cast<std::size_t>(format);
    return index < std::size(kFormatNames) ? kFormatNames[index] : "auto";
}

std::vector<RawExample> DataReader::read(const std::string& path, const DataReadOptions& options) {
    const std::string text = loadText(path);
    const DataFormat format = options.format == DataFormat::Auto
                                  ? detectFormat(path, text, options.task)
                                  : options.format;
    checkTaskFits(path, format, options.task);
    const std::vector<RawExample> examples =
        format == DataFormat::Tsv             ? readTsv(path, text, options)
        : format == DataFormat::SentenceLabel ? readSentenceLabel(path, text)
        : format == DataFormat::Csv           ? readCsv(path, text, options)
        : format == DataFormat::Jsonl         ? readJsonl(path, text, options)
                                              : readConll(path, text, options.conllTagColumn);
    if (examples.empty()) {
        fail(path, lineCount(text), "no examples in this ", dataFormatName(format),
             " file; check that it holds data rows, not only a header or document markers");
    }
    return examples;
}

DataFormat DataReader::detect(const std::string& path, TaskKind task) {
    return detectFormat(path, loadText(path), task);
}

} // namespace fsllm
