#include "datareader.h"

#include "csvparser.h"
#include "fsllmerror.h"
#include "jsontext.h"
#include "textfile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string_view>

namespace fsllm {

namespace {

using nlohmann::json;
using LineCursor = TextFile::LineCursor;

// Indexed by DataFormat.
constexpr const char* kFormatNames[] = {"auto",  "tsv",   "sentence", "csv",
                                        "jsonl", "conll", "text"};

// Throws FsllmError("<path>:<line>: " + the parts, concatenated).
template <typename... Parts>
[[noreturn]] void fail(const std::string& path, int line, const Parts&... parts) {
    std::string message = path + ":" + std::to_string(line) + ": ";
    ((message += parts), ...);
    throw FsllmError(message);
}

// ---- Columns of TSV and CSV files --------------------------------------------------------

// Which fields make an example: the text columns (joined with a space) and the label column.
struct ColumnPlan {
    std::vector<std::size_t> text;
    bool labelled = true; // false: unlabelled input, no label column is read
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
    for (std::string_view part : TextFile::splitOn(spec, '+'))
        names.emplace_back(TextFile::trimmed(part));
    return names;
}

std::size_t requireColumn(const std::vector<std::string>& header, const std::string& name,
                          const char* role, const std::string& path, int line) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
        fail(path, line, "no ", role, " column ", TextFile::inQuotes(name), " (the columns are ",
             TextFile::inQuotesList(header), "); choose one of these as the ", role, " column");
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
                 TextFile::inQuotesList(header),
                 "); choose the text column, or several joined with '+' such as "
                 "'title+description'");
        }
    }
    for (const std::string& name : textNames)
        plan.text.push_back(requireColumn(header, name, "text", path, line));
    plan.labelled = options.requireLabels;
    if (plan.labelled)
        plan.label = requireColumn(header,
                                   options.labelColumn.empty() ? "label" : options.labelColumn,
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
    if (plan.labelled) {
        example.label = std::string(TextFile::trimmed(fields[plan.label]));
        if (example.label.empty())
            fail(path, line, "the label is empty; give every example a label or remove the row");
    }
    for (std::size_t column : plan.text) {
        const std::string_view part = TextFile::trimmed(fields[column]);
        if (!part.empty())
            example.text += (example.text.empty() ? "" : " ") + std::string(part);
    }
    return example;
}

std::vector<RawExample> readTsv(const std::string& path, std::string_view text,
                                const DataReadOptions& options) {
    LineCursor lines(text);
    std::string_view line;
    while (lines.next(line) && TextFile::trimmed(line).empty()) {
    }
    std::vector<std::string> header;
    for (std::string_view name : TextFile::splitOn(line, '\t'))
        header.emplace_back(TextFile::trimmed(name));
    ColumnPlan plan = planColumns(header, options, path, lines.number());
    plan.widthNote = "the header has " + std::to_string(plan.width);
    plan.fieldHint = "TSV fields are separated by tabs, so the text must not contain one";
    std::vector<RawExample> examples;
    while (lines.next(line)) {
        if (!TextFile::trimmed(line).empty())
            examples.push_back(
                exampleFromFields(TextFile::splitOn(line, '\t'), plan, path, lines.number()));
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
        header.emplace_back(TextFile::trimmed(name));
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
        line = TextFile::trimmed(line);
        if (line.empty())
            continue;
        const std::size_t gap = line.find_first_of(" \t");
        if (gap == std::string_view::npos) {
            fail(path, lines.number(), "expected '<label> <text>' but the line holds only ",
                 TextFile::inQuotes(line), "; write the label, a space, then the text");
        }
        RawExample example;
        example.line = lines.number();
        example.label = std::string(line.substr(0, gap));
        example.text = std::string(TextFile::trimmed(line.substr(gap)));
        examples.push_back(std::move(example));
    }
    return examples;
}

// ---- JSON Lines ---------------------------------------------------------------------------

json parseJsonLine(const std::string& path, int line, std::string_view text) {
    const json value = JsonText::parse(text, path + ":" + std::to_string(line),
                                       "JSON Lines needs one complete object per line");
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
        wanted += (wanted.empty() ? "" : " or ") + TextFile::inQuotes(key);
    fail(path, line, "no ", wanted, " key (the keys are ", TextFile::inQuotesList(keysOf(object)),
         "); choose the ", role, " key");
}

// A label may be a string or an integer (its decimal string).
std::string jsonLabel(const json& value, const std::string& key, const std::string& path,
                      int line) {
    std::string label;
    if (value.is_string())
        label = std::string(TextFile::trimmed(value.get_ref<const std::string&>()));
    else if (value.is_number_integer())
        label = value.dump();
    else
        fail(path, line, "label key ", TextFile::inQuotes(key), " holds ", JsonText::shown(value),
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
            fail(path, line, "text key ", TextFile::inQuotes(key), " holds ",
                 JsonText::shown(value), "; store the text as a JSON string");
        const std::string part(TextFile::trimmed(value.get_ref<const std::string&>()));
        if (!part.empty())
            example.text += (example.text.empty() ? "" : " ") + part;
    }
    if (!options.requireLabels)
        return example;
    const std::string labelKey = options.labelColumn.empty() ? "label" : options.labelColumn;
    chooseKey(object, labelKey, {}, "label", path, line);
    example.label = jsonLabel(object.at(labelKey), labelKey, path, line);
    return example;
}

std::vector<std::string> jsonStrings(const json& value, const std::string& key, bool tags,
                                     const std::string& path, int line) {
    if (!value.is_array())
        fail(path, line, "key ", TextFile::inQuotes(key), " must hold an array of strings");
    std::vector<std::string> out;
    for (const json& item : value) {
        if (tags && item.is_number_integer()) {
            fail(path, line, "key ", TextFile::inQuotes(key),
                 " holds integer tags; write the tag names (\"B-PER\", \"O\") instead of ids");
        }
        if (!item.is_string() || item.get_ref<const std::string&>().empty())
            fail(path, line, "key ", TextFile::inQuotes(key),
                 " must hold non-empty strings, found ", JsonText::shown(item));
        out.push_back(item.get<std::string>());
    }
    return out;
}

RawExample tokensFromJson(const json& object, const DataReadOptions& options,
                          const std::string& path, int line) {
    const std::string wordsKey =
        chooseKey(object, options.textColumn, {"tokens", "words"}, "words", path, line);
    RawExample example;
    example.line = line;
    example.words = jsonStrings(object.at(wordsKey), wordsKey, false, path, line);
    if (!options.requireLabels)
        return example;
    const std::string tagsKey =
        chooseKey(object, options.labelColumn, {"tags", "ner_tags"}, "tags", path, line);
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
        if (TextFile::trimmed(line).empty())
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

// Unlabelled (`tagged` false): the word of each line only; further columns are ignored.
std::vector<RawExample> readConll(const std::string& path, std::string_view text, int tagColumn,
                                  bool tagged) {
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
        const std::vector<std::string_view> columns = TextFile::splitWhitespace(line);
        if (columns.empty() || columns.front() == "-DOCSTART-") {
            finishSentence();
            continue;
        }
        if (sentence.words.empty())
            sentence.line = lines.number();
        if (!tagged) {
            sentence.words.emplace_back(columns.front());
            continue;
        }
        if (columns.size() < 2) {
            fail(path, lines.number(), "the line ", TextFile::inQuotes(TextFile::trimmed(line)),
                 " has a token but no tag; write 'token ... tag' with a blank line between "
                 "sentences");
        }
        const std::size_t tag = tagColumn < 0 ? columns.size() - 1 : std::size_t(tagColumn);
        if (tag >= columns.size()) {
            fail(path, lines.number(), "the line has ", std::to_string(columns.size()),
                 " columns but the tag column is ", std::to_string(tagColumn),
                 " (0-based); choose a smaller tag column, or -1 for the last");
        }
        sentence.words.emplace_back(columns.front());
        sentence.tags.emplace_back(columns[tag]);
    }
    finishSentence();
    return examples;
}

// ---- Plain text: one text (or sentence) per line, no labels -------------------------------

std::vector<RawExample> readText(std::string_view text, TaskKind task) {
    std::vector<RawExample> examples;
    LineCursor lines(text);
    std::string_view line;
    while (lines.next(line)) {
        line = TextFile::trimmed(line);
        if (line.empty())
            continue;
        RawExample example;
        example.line = lines.number();
        if (task == TaskKind::Token) {
            for (std::string_view word : TextFile::splitWhitespace(line))
                example.words.emplace_back(word);
        } else {
            example.text = std::string(line);
        }
        examples.push_back(std::move(example));
    }
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
        const std::vector<std::string_view> columns = TextFile::splitWhitespace(line);
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

// Why the first lines look like a tab-separated table rather than "<label> <text>" lines (empty
// when they do not): a space before a line's first tab (the label would end at that space, not
// at the tab), or two or more tabs on every line.
std::string tableEvidence(std::string_view text) {
    constexpr int kLinesToCheck = 20;
    LineCursor lines(text);
    std::string_view line;
    bool everyLineHasTwoTabs = true;
    int checked = 0;
    for (; checked < kLinesToCheck && lines.next(line);) {
        line = TextFile::trimmed(line);
        if (line.empty())
            continue;
        ++checked;
        const std::size_t tab = line.find('\t');
        if (tab == std::string_view::npos)
            return {};
        if (line.substr(0, tab).find(' ') != std::string_view::npos)
            return "line " + std::to_string(lines.number()) + " has a space before its first tab";
        everyLineHasTwoTabs =
            everyLineHasTwoTabs && std::count(line.begin(), line.end(), '\t') >= 2;
    }
    return checked > 0 && everyLineHasTwoTabs ? "every line has three or more tab-separated fields"
                                              : "";
}

DataFormat detectFormat(const std::string& path, std::string_view text,
                        const DataReadOptions& options) {
    std::string_view first;
    int firstLine = 0;
    const DataFormat plain = DataReader::formatFromPathOrFirstLine(path, text, &first, &firstLine);
    if (plain != DataFormat::Auto)
        return plain;
    if (options.task == TaskKind::Token || looksLikeConll(text))
        return DataFormat::Conll;
    std::vector<std::string> cells;
    for (std::string_view cell : TextFile::splitOn(first, '\t'))
        cells.emplace_back(TextFile::trimmed(cell));
    const std::string labelColumn = options.labelColumn.empty() ? "label" : options.labelColumn;
    if (std::find(cells.begin(), cells.end(), labelColumn) != cells.end())
        return DataFormat::Tsv;
    // Column options only mean something for files with named columns: never ignore them.
    if (!options.labelColumn.empty() || !options.textColumn.empty()) {
        const std::string given = !options.labelColumn.empty()
                                      ? "label column " + TextFile::inQuotes(options.labelColumn)
                                      : "text column " + TextFile::inQuotes(options.textColumn);
        fail(path, firstLine, "a ", given, " was given but the first line is not a ",
             "tab-separated header naming it (its fields are ", TextFile::inQuotesList(cells),
             "); name a column of the header, or choose the format (tsv, csv or jsonl)");
    }
    if (first.find('\t') != std::string_view::npos) {
        const std::string evidence = tableEvidence(text);
        if (!evidence.empty())
            fail(path, firstLine, "cannot tell the data format: the lines look like a ",
                 "tab-separated table (", evidence, ") but the first line has no 'label' ",
                 "column (its fields are ", TextFile::inQuotesList(cells), "); for a TSV with ",
                 "a header choose the label column (and --format tsv), for '<label> <text>' ",
                 "lines choose --format sentence");
    }
    if (first.find_first_of(" \t") != std::string_view::npos)
        return DataFormat::SentenceLabel;
    fail(path, firstLine, "cannot tell the data format from the first line ",
         TextFile::inQuotes(first), "; choose the format (tsv, sentence, csv, jsonl or conll)");
}

// Refuses an example longer than DataReader::kMaxExampleBytes before it is tokenized.
void checkExampleSize(const std::string& path, const RawExample& example) {
    std::size_t bytes = example.text.size();
    for (const std::string& word : example.words)
        bytes += word.size() + 1;
    if (bytes > DataReader::kMaxExampleBytes)
        fail(path, example.line, "the example is ", std::to_string(bytes),
             " bytes long, over the limit of ", std::to_string(DataReader::kMaxExampleBytes),
             " bytes (1 MiB); split it into shorter examples (only the first --max-length "
             "tokens are used anyway)");
}

void checkTaskFits(const std::string& path, DataFormat format, const DataReadOptions& options) {
    const TaskKind task = options.task;
    if (format == DataFormat::Text) {
        if (options.requireLabels)
            throw FsllmError(path + ": the text format holds no labels, but this file must be "
                                    "labelled; choose a labelled format (tsv, sentence, csv, "
                                    "jsonl or conll), or use the file with fsllm predict");
        return;
    }
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
                     "'; choose auto, tsv, sentence, csv, jsonl, conll or text");
}

const char* dataFormatName(DataFormat format) {
    const auto index = static_cast<std::size_t>(format);
    return index < std::size(kFormatNames) ? kFormatNames[index] : "auto";
}

std::vector<RawExample> DataReader::read(const std::string& path, const DataReadOptions& options) {
    return parse(path, TextFile::load(path), options);
}

std::vector<RawExample> DataReader::parse(const std::string& path, std::string_view text,
                                          const DataReadOptions& options) {
    if (options.format == DataFormat::Auto && !options.requireLabels)
        throw std::invalid_argument("DataReader::read: unlabelled input needs a format; "
                                    "UnlabelledInput::read detects it");
    const DataFormat format =
        options.format == DataFormat::Auto ? detectFormat(path, text, options) : options.format;
    checkTaskFits(path, format, options);
    const std::vector<RawExample> examples =
        format == DataFormat::Tsv             ? readTsv(path, text, options)
        : format == DataFormat::SentenceLabel ? readSentenceLabel(path, text)
        : format == DataFormat::Csv           ? readCsv(path, text, options)
        : format == DataFormat::Jsonl         ? readJsonl(path, text, options)
        : format == DataFormat::Text          ? readText(text, options.task)
        : readConll(path, text, options.conllTagColumn, options.requireLabels);
    for (const RawExample& example : examples)
        checkExampleSize(path, example);
    if (examples.empty()) {
        fail(path, TextFile::lineCount(text), "no examples in this ", dataFormatName(format),
             " file; check that it holds data rows, not only a header or document markers");
    }
    return examples;
}

DataFormat DataReader::formatFromExtension(const std::string& path) {
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
    return DataFormat::Auto;
}

DataFormat DataReader::formatFromPathOrFirstLine(const std::string& path, std::string_view text,
                                                  std::string_view* first, int* firstLineNumber) {
    if (const DataFormat named = formatFromExtension(path); named != DataFormat::Auto)
        return named;
    LineCursor lines(text);
    std::string_view line;
    while (lines.next(line) && TextFile::trimmed(line).empty()) {
    }
    line = TextFile::trimmed(line);
    *first = line;
    *firstLineNumber = lines.number();
    if (line.rfind("-DOCSTART-", 0) == 0)
        return DataFormat::Conll;
    if (!line.empty() && line.front() == '{')
        return DataFormat::Jsonl;
    return DataFormat::Auto;
}

DataFormat DataReader::detect(const std::string& path, TaskKind task) {
    DataReadOptions options;
    options.task = task;
    return detectFormat(path, TextFile::load(path), options);
}

} // namespace fsllm
