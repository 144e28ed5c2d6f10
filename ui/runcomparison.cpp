#include "runcomparison.h"

#include "engine.h"

#include <QElapsedTimer>

#include <exception>

namespace fsllm {

RunComparisonResult RunComparison::compute(quint64 id, const QString& modelDir,
                                           const QStringList& runDirs, const QString& text,
                                           int attributionSteps,
                                           const std::function<bool()>& cancel) {
    QElapsedTimer clock;
    clock.start();
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
            auto engine = Engine::open(modelDir.toStdString());
            engine->loadAdapter(runDir.toStdString());
            const ClassifierSpec* spec = engine->classifier();
            InspectRequest request;
            request.text = text.toStdString();
            request.mask = spec->mask;
            request.wantHidden = false;
            request.wantLogits = false;
            column.prediction = engine->inspect(request);
            if (spec->task == TaskKind::Sequence) {
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
