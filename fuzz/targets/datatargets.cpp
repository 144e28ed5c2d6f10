// Fuzz target for the data readers (TSV, "label sentence" lines, CSV, JSON Lines, CoNLL), with
// the format chosen explicitly or detected from the content.
#include "datareader.h"
#include "fsllmerror.h"
#include "fuzzscratch.h"
#include "fuzztargetregistry.h"

using fsllm::FsllmError;
using fsllm::fuzz::FuzzScratch;

// Input: one byte that picks the format and task (bits 0-2: auto, tsv, sentence, csv, jsonl,
// conll; bit 3: token task), then the file's content.
FSLLM_FUZZ_TARGET(data_reader) {
    if (size == 0)
        return;
    static const fsllm::DataFormat kFormats[] = {
        fsllm::DataFormat::Auto, fsllm::DataFormat::Tsv,   fsllm::DataFormat::SentenceLabel,
        fsllm::DataFormat::Csv,  fsllm::DataFormat::Jsonl, fsllm::DataFormat::Conll};
    fsllm::DataReadOptions options;
    options.format = kFormats[(data[0] & 7u) % 6u];
    options.task = (data[0] & 8u) ? fsllm::TaskKind::Token : fsllm::TaskKind::Sequence;
    // Auto detection looks at the content of a .txt file.
    const std::string path = FuzzScratch::write("data.txt", data + 1, size - 1);
    try {
        (void)fsllm::DataReader::read(path, options);
    } catch (const FsllmError&) {
    }
}
