// best/best.json: which evaluation the adapter in best/ comes from (its step, selection score and
// dev scores). It is written inside the same atomic folder swap as the adapter, so it always
// describes the adapter next to it, even when a kill stopped the run before metrics.jsonl got
// the matching line. Readers reconcile with it: the best is what best/ says.
// Plain value type; read() reads files only.
#pragma once

#include "trainingrecords.h"

#include <optional>
#include <string>
#include <vector>

namespace fsllm {

struct BestRecord {
    static constexpr const char* kFileName = "best.json";

    EvalRecord eval; // isBest is true
    double score = 0.0;

    std::string toJsonText() const;
    // best/best.json of the run folder `runDir` (or best.old/ when a swap was interrupted);
    // nullopt when there is no best/ or it predates best.json. Throws FsllmError naming the
    // file when it is malformed.
    static std::optional<BestRecord> read(const std::string& runDir);
    // Makes `evals` (in step order) agree with best/: the record at the best step is replaced
    // by (or, when missing, inserted as) this one, marked best; later records are not best.
    // Returns true when something changed.
    bool reconcile(std::vector<EvalRecord>& evals) const;
};

} // namespace fsllm
