// How a caller follows and stops a long evaluation (Evaluator::run, ClassifierRun::evaluate,
// RunEvaluation): both callbacks are optional and run on the evaluating thread.
// Thread-safety: the callbacks must be safe to call from that thread (e.g. atomics).
#pragma once

#include <functional>

namespace fsllm {

struct EvaluationControl {
    // After the data is encoded (done = 0) and after each batch: examples scored so far of `total`.
    std::function<void(int done, int total)> progress;
    // Polled before each batch and after the last; returning true stops the evaluation, which then returns a result
    // marked `cancelled` (its scores are meaningless and nothing is written).
    std::function<bool()> cancel;
};

} // namespace fsllm
