#include "runcomparison.h"

#include "engine.h"
#include "runenginecache.h"

#include <QElapsedTimer>

#include <exception>

namespace fsllm {

RunComparisonResult RunComparison::compute(quint64 id, const QString& modelDir,
                                           const QStringList& runDirs, const QString& text,
                                           int attributionSteps,
                                           const std::function<bool()>& cancel,
                                           RunEngineCache* cache) {
    QElapsedTimer clock;
    clock.start();
    std::unique_lock<std::mutex> inUse;
    if (cache)
        inUse = cache->use(); // one comparison at a time uses the cached engines
    RunComparisonResult out;
    out.id = id;
    out.text = text;
    for (const QString& runDir : runDirs) {
        if (cancel && cancel()) {
            out.cancelled = true;
            return out;
        }
        RunColumn column;
        column.runDir = runDir;
        try {
            std::shared_ptr<Engine> engine;
            if (cache) {
                engine = cache->engine(modelDir, runDir);
            } else {
                engine = Engine::open(modelDir.toStdString(),
                                      Engine::inspectionOptions(modelDir.toStdString()));
                engine->loadAdapter(runDir.toStdString());
            }
            const ClassifierSpec* spec = engine->classifier();
            InspectRequest request;
            request.text = text.toStdString();
            request.mask = spec->mask;
            request.wantHidden = false;
            request.wantLogits = false;
            column.prediction = engine->inspect(request);
            // Sequence classifiers: the predicted class; token classifiers: the tag of the
            // most confident entity token (AttributionRequest::token -1).
            AttributionRequest attribution;
            attribution.text = request.text;
            attribution.mask = spec->mask;
            attribution.steps = attributionSteps;
            attribution.cancel = cancel;
            column.attribution = engine->attribute(attribution);
            if (column.attribution.cancelled) {
                out.cancelled = true;
                return out;
            }
        } catch (const std::exception& e) {
            const std::string message = e.what();
            column.error = QString::fromStdString(message.substr(0, message.find('\n')));
        }
        out.columns.push_back(std::move(column));
    }
    out.milliseconds = double(clock.nsecsElapsed()) / 1e6;
    return out;
}

} // namespace fsllm
