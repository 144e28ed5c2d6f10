// The same sentence through several trained runs (adapters) side by side, for the Inspect tab's
// "Runs side by side" page: RunComparison::compute() takes the model with each run's adapter
// (from a RunEngineCache, which opens it once while the view lives) and, under the mask the run
// was trained with, records the prediction, the
// attention of the last layer (mean of heads) and the integrated-gradients attribution of the
// predicted class. Plain values; compute() runs off the GUI thread (BackgroundCall) and may be
// stopped between runs and between attribution batches by `cancel`.
// Thread-safety: compute() is reentrant (a cache is used by one compute() at a time, see
// RunEngineCache::use()); the structs are values.
#pragma once

#include "attributionresult.h"
#include "inspectresult.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace fsllm {

struct RunColumn {
    QString runDir;
    QString error;             // not empty: this run failed (the others still show)
    InspectResult prediction;  // under the run's mask, with attention [L][H][T][T]
    AttributionResult attribution; // integrated gradients of the predicted class
};

struct RunComparisonResult {
    quint64 id = 0;
    QString text;
    std::vector<RunColumn> columns; // one per run, in the order asked
    bool cancelled = false;
    double milliseconds = 0.0;
};

class RunEngineCache;

class RunComparison {
public:
    static constexpr int kMinRuns = 2;

    // Never throws: a run that fails gets its error in its column. `cache` null: each run's
    // engine is opened for this call and closed after it.
    static RunComparisonResult compute(quint64 id, const QString& modelDir,
                                       const QStringList& runDirs, const QString& text,
                                       int attributionSteps, const std::function<bool()>& cancel,
                                       RunEngineCache* cache = nullptr);
};

} // namespace fsllm
