// Readers for the field's data formats (docs/design.md §4): GLUE-style TSV with a header; the
// sentence-level "label sentence" text format (SST); CSV with a header and quoted fields that may
// contain commas, quotes and newlines (text may join several columns, e.g. AG News' title and
// description); JSON Lines; CoNLL column files (token ... tag, blank line between sentences,
// -DOCSTART- skipped). Every error names the file and the line and says what to fix; text must be
// valid UTF-8 (a leading byte-order mark is skipped; LF, CRLF or CR line ends). Texts and labels
// are trimmed of surrounding white space. Thread-safety: pure functions.
#pragma once

#include "classifierspec.h"
#include "rawexample.h"

#include <string>
#include <vector>

namespace fsllm {

// Text: one text per line, no labels (token tasks: one sentence per line, words split at white
// space); only for unlabelled input (prediction).
enum class DataFormat { Auto, Tsv, SentenceLabel, Csv, Jsonl, Conll, Text };

// "auto" | "tsv" | "sentence" | "csv" | "jsonl" | "conll" | "text"; throws FsllmError listing
// the choices.
DataFormat dataFormatFromName(const std::string& name);
const char* dataFormatName(DataFormat format);

struct DataReadOptions {
    DataFormat format = DataFormat::Auto;
    TaskKind task = TaskKind::Sequence;
    // Column (TSV/CSV header name, JSONL key) holding the text; several joined with '+'
    // ("title+description") are concatenated with a space. Empty -> the first of "sentence",
    // "text" that exists. JSONL token task: the words key; empty -> "tokens" or "words".
    std::string textColumn;
    // Column/key holding the label. Empty -> "label". JSONL token task: the tags key (an array
    // of tag strings); empty -> "tags" or "ner_tags".
    std::string labelColumn;
    // CoNLL: 0-based column of the tag (column 0 is the token); -1 = the last column.
    int conllTagColumn = -1;
    // CSV files without a header (AG News): header names to assume, e.g. {"class","title",
    // "description"}. Empty -> the first row is the header.
    std::vector<std::string> csvColumns;
    // false: unlabelled input (prediction). TSV/CSV/JSONL need no label column or key (one
    // that is there is ignored), CoNLL lines may hold the word only (further columns are
    // ignored), and the text format is allowed. Auto-detection of unlabelled files is
    // UnlabelledInput's; read() needs an explicit format then.
    bool requireLabels = true;
};

class DataReader {
public:
    // Longest example accepted, in bytes of text (token tasks: words plus separators). Longer
    // ones are refused at read time, before tokenizing them costs memory.
    static constexpr std::size_t kMaxExampleBytes = std::size_t(1) << 20;

    // Reads every example. Throws FsllmError("<path>:<line>: <problem>; <what to fix>") for
    // invalid UTF-8, a missing column, a row with the wrong number of fields, an unterminated
    // quote (the line where the field starts), an empty label, a CoNLL line without a tag, an
    // empty file or a file with no examples, an example over kMaxExampleBytes, column options
    // that auto-detection cannot honour, or an ambiguous .txt table; and
    // FsllmError("<path>: ...") for a missing file, a
    // sequence format used for a token task (or CoNLL for a sequence task) and a bad tag column.
    static std::vector<RawExample> read(const std::string& path, const DataReadOptions& options);
    // read() on `text`, the contents of `path` as TextFile::load returns them (for callers that
    // have loaded the file already; messages name `path`).
    static std::vector<RawExample> parse(const std::string& path, std::string_view text,
                                         const DataReadOptions& options);

    // Guesses the format from the extension (.tsv, .csv, .jsonl/.json/.ndjson, .conll/.bio/.iob/
    // .iobes/.bioes) and otherwise (.txt, eng.train, ...) from the content: -DOCSTART- or a token
    // task -> Conll; '{' -> Jsonl; first lines of equal column counts ending in IOB tags ->
    // Conll; a tab-separated header with "label" (or the given label column) -> Tsv; "<label>
    // <text>" -> SentenceLabel. Throws when it cannot tell, when tab-separated lines look like a
    // table whose header has no label column (a space before the first tab, or 3+ fields on
    // every line), and when a label or text column is given for a file without such a header.
    static DataFormat detect(const std::string& path, TaskKind task);
    // The format the extension names (.tsv, .csv, .jsonl/.json/.ndjson, .conll/.bio/.iob/.iobes/
    // .bioes, any case); Auto for any other extension.
    static DataFormat formatFromExtension(const std::string& path);
    // The first step of detect() and UnlabelledInput::detect(): what the extension or the first
    // non-blank line alone says. The extension's format; else Conll for "-DOCSTART-", Jsonl for
    // '{'; else Auto, with that line (trimmed) in `first` and its 1-based number in
    // `firstLineNumber` for the content checks that follow.
    static DataFormat formatFromPathOrFirstLine(const std::string& path, std::string_view text,
                                                std::string_view* first, int* firstLineNumber);
};

} // namespace fsllm
