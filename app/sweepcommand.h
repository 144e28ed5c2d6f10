// `fsllm sweep`: a grid of training runs (SweepGrid) over a base configuration (train's options),
// each run an `fsllm train` child process writing a normal run folder under the sweep's folder,
// one after another or --jobs at once, with progress lines ("run 3/12: ...") and a summary
// (SweepSummary: mean ± std over seeds, paired tests against the causal runs) rewritten as runs
// finish. Complete runs are skipped and stopped ones resumed when the sweep is run again.
// Thread-safety: main thread only (installs SIGINT/SIGTERM handlers while it runs).
#pragma once

#include <string>
#include <vector>

namespace fsllm {

class SweepCommand {
public:
    static int run(const std::vector<std::string>& args);
};

} // namespace fsllm
