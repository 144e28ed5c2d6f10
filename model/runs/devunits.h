// A run's dev predictions read back per unit for the paired tests (PairedStatistics): the file
// the trainer keeps for the best checkpoint (dev_predictions.tsv / .conll, see PredictionReport).
//   sequence task (TSV: line, gold, predicted, ...): one unit per example, counts
//     {correct 0|1, predicted 1, gold 1}; the score is accuracy, the selection metric;
//   token task with chunk tags (CoNLL: word gold predicted): one unit per sentence, conlleval's
//     chunk counts of that sentence (Metrics::entities); the score is entity F1;
//   token task with plain tags (POS): one unit per sentence, {correct words, words, words}; the
//     score is token accuracy.
// A word cut by --max-length (Metrics::kCutTag) is scored as Metrics scores it.
// Thread-safety: read() is reentrant; it keeps a small cache keyed by path, size and mtime
// (guarded by a mutex) so that a table rebuilt every second does not reread unchanged files.
#pragma once

#include "pairedstatistics.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fsllm {

struct DevUnits {
    std::string path;   // the predictions file read
    std::string metric; // "accuracy", "entity F1" or "token accuracy"
    UnitScores scores;
    std::vector<bool> correct; // per example (sequence tasks only): for McNemar's test
    // FNV-1a of the gold labels in order: runs are paired only on the same dev set.
    std::uint64_t goldFingerprint = 0;

    // The dev predictions of `runDir` (the run folder's copy, else best/'s); nullopt when the
    // run has none yet. Throws FsllmError "<path>:<line>: ..." for a malformed file.
    static std::optional<DevUnits> read(const std::string& runDir);
    // What identifies the predictions read() would read now: "<path>|<size>|<mtime>"; "" when
    // the run has none. A cheap stat, for callers that keep results between calls.
    static std::string stamp(const std::string& runDir);
    // One predictions file (".tsv": sequence, ".conll": token).
    static DevUnits readFile(const std::string& path);
};

} // namespace fsllm
