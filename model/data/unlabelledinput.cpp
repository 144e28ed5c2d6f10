#include "unlabelledinput.h"

#include "fsllmerror.h"
#include "textfile.h"

#include <algorithm>
#include <cstring>

namespace fsllm {

namespace {

using LineCursor = TextFile::LineCursor;

constexpr int kLinesToCheck = 50;

[[noreturn]] void ambiguous(const std::string& path, int line, const std::string& why,
                            const std::string& choices) {
    throw FsllmError(path + ":" + std::to_string(line) + ": cannot tell how to read this file: " +
                     why + "; " + choices);
}

bool looksLikeTag(std::string_view tag) {
    return tag == "O" ||
           (tag.size() > 2 && tag[1] == '-' && std::strchr("BIESLU", tag[0]) != nullptr);
}

// Whether every part of a text-column option ("title+description") is a cell of `header`; with
// no option, whether the header has "sentence" or "text".
bool namesTextColumn(const std::vector<std::string>& header, const std::string& textColumn) {
    const auto has = [&header](std::string_view name) {
        return std::find(header.begin(), header.end(), name) != header.end();
    };
    if (textColumn.empty())
        return has("sentence") || has("text");
    if (has(textColumn))
        return true;
    for (std::string_view part : TextFile::splitOn(textColumn, '+'))
        if (!has(TextFile::trimmed(part)))
            return false;
    return true;
}

DataFormat detectSequence(const std::string& path, std::string_view text, std::string_view first,
                          int firstLine, const DataReadOptions& options,
                          const std::vector<std::string>& runLabels) {
    std::vector<std::string> cells;
    for (std::string_view cell : TextFile::splitOn(first, '\t'))
        cells.emplace_back(TextFile::trimmed(cell));
    if (namesTextColumn(cells, options.textColumn))
        return DataFormat::Tsv;
    if (first.find('\t') != std::string_view::npos)
        ambiguous(path, firstLine,
                  "the lines hold tabs but the first line is not a header naming " +
                      (options.textColumn.empty()
                           ? std::string("a 'sentence' or 'text' column")
                           : "the text column " + TextFile::inQuotes(options.textColumn)) +
                      " (its fields are " + TextFile::inQuotesList(cells) + ")",
                  "for a table with a header choose --format tsv and --text-column NAME, to take "
                  "each whole line as one text choose --format text");
    // '<label> <text>' lines: the first word of every line checked is one of the run's labels.
    LineCursor lines(text);
    std::string_view line;
    int checked = 0;
    for (; checked < kLinesToCheck && lines.next(line);) {
        line = TextFile::trimmed(line);
        if (line.empty())
            continue;
        ++checked;
        const std::string_view word = line.substr(0, line.find_first_of(" \t"));
        if (std::find(runLabels.begin(), runLabels.end(), word) == runLabels.end())
            return DataFormat::Text;
    }
    ambiguous(path, firstLine,
              "the first word of every line is one of the run's labels (" +
                  TextFile::inQuotesList(runLabels) + "), as in '<label> <text>' lines",
              "for '<label> <text>' lines choose --format sentence (the label is dropped), to "
              "keep each whole line as the text choose --format text");
}

DataFormat detectToken(const std::string& path, std::string_view text, int firstLine) {
    LineCursor lines(text);
    std::string_view line;
    std::size_t width = 0;
    bool sameWidth = true, allTagged = true, blankBetween = false, blankPending = false;
    int checked = 0;
    for (; checked < kLinesToCheck && lines.next(line);) {
        const std::vector<std::string_view> columns = TextFile::splitWhitespace(line);
        if (columns.empty()) {
            blankPending = checked > 0;
            continue;
        }
        blankBetween = blankBetween || blankPending;
        blankPending = false;
        ++checked;
        sameWidth = sameWidth && (width == 0 || columns.size() == width);
        width = std::max(width, columns.size());
        allTagged = allTagged && columns.size() >= 2 && looksLikeTag(columns.back());
    }
    if (sameWidth && allTagged)
        return DataFormat::Conll; // "word ... tag" rows: the tags are ignored
    if (sameWidth && width == 1) {
        if (blankBetween)
            return DataFormat::Conll;
        ambiguous(path, firstLine,
                  "every line holds one word and no blank line separates sentences",
                  "for one word per line (a single sentence) choose --format conll, for one "
                  "sentence per line choose --format text");
    }
    if (sameWidth && blankBetween)
        ambiguous(path, firstLine,
                  "every line holds " + std::to_string(width) +
                      " fields, in groups separated by blank lines, as CoNLL columns do",
                  "for one word per line (its first column; the others are ignored) choose "
                  "--format conll, for one sentence per line choose --format text");
    return DataFormat::Text;
}

} // namespace

DataFormat UnlabelledInput::detect(const std::string& path, std::string_view text,
                                   const DataReadOptions& options,
                                   const std::vector<std::string>& runLabels) {
    std::string_view first;
    int firstLine = 0;
    const DataFormat plain = DataReader::formatFromPathOrFirstLine(path, text, &first, &firstLine);
    if (plain != DataFormat::Auto)
        return plain;
    if (options.task == TaskKind::Token)
        return detectToken(path, text, firstLine);
    return detectSequence(path, text, first, firstLine, options, runLabels);
}

UnlabelledRead UnlabelledInput::read(const std::string& path, DataReadOptions options,
                                     const std::vector<std::string>& runLabels) {
    options.requireLabels = false;
    UnlabelledRead result;
    result.detected = options.format == DataFormat::Auto;
    const std::string text = TextFile::load(path); // read once, detected and parsed
    if (result.detected)
        options.format = detect(path, text, options, runLabels);
    result.format = options.format;
    result.layout = layoutName(options.format, options.task);
    result.examples = DataReader::parse(path, text, options);
    return result;
}

std::string UnlabelledInput::layoutName(DataFormat format, TaskKind task) {
    const bool token = task == TaskKind::Token;
    switch (format) {
    case DataFormat::Text:
        return token ? "plain text, one sentence per line (words split at white space)"
                     : "plain text, one text per line";
    case DataFormat::Conll:
        return "CoNLL, one word per line (further columns ignored), blank line between sentences";
    case DataFormat::Tsv:
        return "TSV with a header row (a label column is ignored)";
    case DataFormat::Csv:
        return "CSV with a header row (a label column is ignored)";
    case DataFormat::Jsonl:
        return token ? "JSON Lines with words (tags ignored)"
                     : "JSON Lines with a text key (a label is ignored)";
    case DataFormat::SentenceLabel:
        return "'<label> <text>' lines (the first word is dropped)";
    case DataFormat::Auto:
        break;
    }
    return "auto";
}

} // namespace fsllm
