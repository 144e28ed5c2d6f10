// Unlabelled input for prediction (`fsllm predict --data FILE`): plain text lines (one text, or
// for token tasks one sentence, per line), words-only CoNLL, and TSV/CSV/JSON Lines without the
// label column. The layout comes from --format, else from the extension, else from the content;
// a file that reads two ways is refused with the --format that decides, never guessed:
//   - tab-separated lines whose first line is not a header naming a text column (tsv or text?);
//   - lines whose first word is always one of the run's labels ('<label> <text>' or text?);
//   - token tasks: one word per line with no blank line between sentences, or lines of equal
//     column counts in blank-line separated groups (CoNLL columns or sentences?).
// Torch-free. Thread-safety: pure functions.
#pragma once

#include "datareader.h"
#include "rawexample.h"

#include <string>
#include <string_view>
#include <vector>

namespace fsllm {

struct UnlabelledRead {
    std::vector<RawExample> examples; // labels and tags empty unless the file had them
    DataFormat format = DataFormat::Auto; // the layout read
    bool detected = false;                // format found from the extension or the content
    std::string layout;                   // the layout in words, for the user
};

class UnlabelledInput {
public:
    // Reads `path` as unlabelled input; options.format Auto detects the layout. runLabels: the
    // run's labels, which tell '<label> <text>' lines from plain text. Throws FsllmError
    // "<path>[:<line>]: ..." for an ambiguous or unreadable file (see DataReader::read).
    static UnlabelledRead read(const std::string& path, DataReadOptions options,
                               const std::vector<std::string>& runLabels);
    // The layout of `text` (the content of `path`) as unlabelled input; never Auto.
    static DataFormat detect(const std::string& path, std::string_view text,
                             const DataReadOptions& options,
                             const std::vector<std::string>& runLabels);
    // "plain text, one sentence per line (words split at white space)", ...
    static std::string layoutName(DataFormat format, TaskKind task);
};

} // namespace fsllm
