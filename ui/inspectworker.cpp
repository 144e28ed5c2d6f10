#include "inspectworker.h"

#include "engine.h"

#include <QElapsedTimer>
#include <QFileInfo>

#include <spdlog/spdlog.h>

#include <exception>

namespace fsllm {

namespace {

QString firstLine(const std::exception& e) {
    const std::string text = e.what();
    return QString::fromUtf8(text.substr(0, text.find('\n')).c_str());
}

} // namespace

InspectWorker::InspectWorker(QObject* parent) : QObject(parent) {
    registerStudioMetaTypes();
    qRegisterMetaType<fsllm::InspectOutcome>("fsllm::InspectOutcome");
    qRegisterMetaType<fsllm::SweepOutcome>("fsllm::SweepOutcome");
    qRegisterMetaType<fsllm::AttributionOutcome>("fsllm::AttributionOutcome");
}

InspectWorker::~InspectWorker() = default;

void InspectWorker::submit(const InspectQuery& query) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending = query;
        ++m_generation; // whatever runs now is superseded
        if (m_scheduled)
            return; // the scheduled run will take this newer query
        m_scheduled = true;
    }
    QMetaObject::invokeMethod(this, &InspectWorker::processPending, Qt::QueuedConnection);
}

void InspectWorker::cancelPending() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_pending.reset();
    ++m_generation;
}

void InspectWorker::openModel(const QString& modelDir, const QString& adapterDir,
                              quint64 serial) {
    if (serial == 0)
        serial = beginOpen();
    m_engine.reset();
    m_adapterMask.reset();
    m_cachedText.clear();
    m_sweepText.clear();
    m_attributionText.clear();
    m_classifierLoaded = false;
    try {
        // float32 for a small half-precision model: many times faster on a CPU
        EngineOptions options = Engine::inspectionOptions(modelDir.toStdString());
        qint64 reportedPerMille = -5; // below any real value's step
        options.progress = [this, &modelDir, &reportedPerMille, serial](std::int64_t done,
                                                                       std::int64_t total) {
            const qint64 perMille = total > 0 ? done * 1000 / total : 1000;
            if (perMille / 5 != reportedPerMille / 5 || done == total) {
                reportedPerMille = perMille;
                emit loadProgress(modelDir, done, total);
            }
            return m_openSerial.load() == serial && m_cancelledUpTo.load() < serial &&
                   !m_stopping.load();
        };
        m_engine = Engine::open(modelDir.toStdString(), options);
        QString adapter;
        if (!adapterDir.isEmpty()) {
            m_engine->loadAdapter(adapterDir.toStdString());
            const ClassifierSpec* spec = m_engine->classifier();
            m_adapterMask = spec->mask;
            m_classifierLoaded = true;
            adapter = tr("%1 (%2, %3 labels, trained with %4)")
                          .arg(QFileInfo(adapterDir).fileName(),
                               QString::fromLatin1(taskKindName(spec->task)))
                          .arg(spec->labels.size())
                          .arg(QString::fromStdString(spec->mask.describe()));
        }
        const ModelSummary summary = m_engine->summary();
        if (summary.parameterCount <= kWarmUpMaxParameters) {
            InspectRequest warmUp; // first-call allocations, so the first timing shown is typical
            warmUp.text = "warm up";
            warmUp.wantHidden = false;
            warmUp.wantLogits = false;
            m_engine->inspect(warmUp);
        }
        emit modelOpened(modelDir, summary, adapter);
    } catch (const LoadCancelled& e) {
        m_engine.reset();
        m_adapterMask.reset();
        if (m_openSerial.load() != serial || m_stopping.load())
            return; // superseded (the newer open reports for this panel) or shutting down
        spdlog::info("{}", e.what());
        emit modelFailed(modelDir, tr("opening cancelled"));
    } catch (const std::exception& e) {
        m_engine.reset();
        m_adapterMask.reset();
        spdlog::error("cannot open {}: {}", modelDir.toStdString(), firstLine(e).toStdString());
        emit modelFailed(modelDir, firstLine(e));
    }
}

void InspectWorker::closeModel() {
    m_engine.reset();
    m_adapterMask.reset();
    m_cachedText.clear();
    m_sweepText.clear();
    m_attributionText.clear();
    m_classifierLoaded = false;
}

void InspectWorker::processPending() {
    std::optional<InspectQuery> query;
    quint64 generation = 0;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        query.swap(m_pending);
        m_scheduled = false;
        generation = m_generation.load();
    }
    if (!query)
        return;
    if (!m_engine) {
        emit inspectFailed(query->id, tr("no model is open"));
        return;
    }
    try {
        emit inspected(inspect(*query));
    } catch (const Cancelled&) {
        return; // stopping: no result
    } catch (const std::exception& e) {
        emit inspectFailed(query->id, firstLine(e));
        return;
    }
    // The slower analyses, while nothing newer waits (a newer query is already scheduled).
    try {
        SweepOutcome sweepOutcome;
        if (query->wantSweep && !superseded(generation)) {
            if (!sweep(*query, generation, &sweepOutcome))
                return;
            emit swept(sweepOutcome);
        }
        AttributionOutcome attributionOutcome;
        if (query->wantAttribution && m_classifierLoaded && !superseded(generation)) {
            if (!attribute(*query, generation, &attributionOutcome))
                return;
            emit attributed(attributionOutcome);
        }
    } catch (const Cancelled&) {
        return; // stopping: no result
    } catch (const std::exception& e) {
        emit analysisFailed(query->id, firstLine(e));
    }
}

bool InspectWorker::sweep(const InspectQuery& query, quint64 generation, SweepOutcome* out) {
    QElapsedTimer clock;
    clock.start();
    out->id = query.id;
    out->text = query.text;
    const std::vector<double> grid =
        AttentionStatistics::lambdaGrid(query.sweepPoints, query.sweepMaxLambda);
    if (m_sweepText != query.text || m_sweep.lambdas != grid) {
        m_sweepText.clear();
        LambdaSweep sweep;
        sweep.lambdas = grid;
        InspectRequest request;
        request.text = query.text.toStdString();
        request.wantHidden = false;
        request.wantLogits = false;
        request.cancel = [this] { return m_stopping.load(); };
        for (double lambda : grid) {
            if (superseded(generation))
                return false;
            request.mask = MaskSpec{MaskMode::Decay, lambda};
            const InspectResult result = m_engine->inspect(request);
            if (sweep.tokens.empty())
                sweep.tokens = result.tokens;
            const std::vector<double> entropy = AttentionStatistics::rowEntropy(result);
            const std::vector<double> share = AttentionStatistics::futureShare(result);
            sweep.entropy.insert(sweep.entropy.end(), entropy.begin(), entropy.end());
            sweep.futureShare.insert(sweep.futureShare.end(), share.begin(), share.end());
        }
        sweep.causalEntropy = AttentionStatistics::rowEntropy(m_causal); // same text: cached
        m_sweep = std::move(sweep);
        m_sweepText = query.text;
    }
    out->sweep = m_sweep;
    out->milliseconds = double(clock.nsecsElapsed()) / 1e6;
    return true;
}

bool InspectWorker::attribute(const InspectQuery& query, quint64 generation,
                              AttributionOutcome* out) {
    QElapsedTimer clock;
    clock.start();
    out->id = query.id;
    out->text = query.text;
    out->lambda = query.lambda;
    AttributionRequest request;
    request.text = query.text.toStdString();
    request.steps = query.attributionSteps;
    request.token = query.attributionToken;
    request.cancel = [this, generation] { return superseded(generation); };
    auto run = [&](const MaskSpec& mask, AttributionResult* result) {
        request.mask = mask;
        *result = m_engine->attribute(request);
        return !result->cancelled;
    };
    if (m_attributionText != query.text || m_attributionSteps != query.attributionSteps ||
        m_attributionToken != query.attributionToken) {
        m_attributionText.clear();
        if (!run(MaskSpec{MaskMode::Causal, 0.0}, &m_attributionCausal))
            return false;
        // A token classifier's automatic choice is made once, under the causal mask, so that
        // the three masks explain the same token (sequence classifiers: tokenIndex is -1).
        request.token = m_attributionCausal.tokenIndex;
        if (!run(MaskSpec{MaskMode::Bidirectional, 0.0}, &m_attributionBidirectional))
            return false;
        m_attributionText = query.text;
        m_attributionSteps = query.attributionSteps;
        m_attributionToken = query.attributionToken;
    }
    request.token = m_attributionCausal.tokenIndex;
    AttributionResult decay;
    if (!run(MaskSpec{MaskMode::Decay, query.lambda}, &decay))
        return false;
    out->results = {m_attributionCausal, decay, m_attributionBidirectional};
    out->milliseconds = double(clock.nsecsElapsed()) / 1e6;
    return true;
}

InspectOutcome InspectWorker::inspect(const InspectQuery& query) {
    QElapsedTimer clock;
    clock.start();
    InspectOutcome out;
    out.id = query.id;
    out.text = query.text;
    out.lambda = query.lambda;
    InspectRequest request;
    request.text = query.text.toStdString();
    request.wantHidden = false;
    request.wantLogits = false;
    request.cancel = [this] { return m_stopping.load(); };
    // Everything but decay(lambda) depends on the text alone: computed once per text, all masks
    // of a new text in one batched forward pass, so a slider move costs one forward pass.
    const MaskSpec decay{MaskMode::Decay, query.lambda};
    if (query.text != m_cachedText) {
        m_cachedText.clear();
        std::vector<MaskSpec> masks = {MaskSpec{MaskMode::Causal, 0.0},
                                       MaskSpec{MaskMode::Bidirectional, 0.0}, decay};
        if (m_adapterMask)
            masks.push_back(*m_adapterMask);
        std::vector<InspectResult> results = m_engine->inspectMasks(request, masks);
        m_causal = std::move(results[0]);
        m_bidirectional = std::move(results[1]);
        out.decay = std::move(results[2]);
        m_prediction = InspectResult{};
        if (m_adapterMask) {
            m_prediction = std::move(results[3]);
            m_prediction.attention.clear(); // only its prediction is kept
        }
        m_cachedText = query.text;
    } else {
        request.mask = decay;
        out.decay = m_engine->inspect(request);
    }
    out.causal = m_causal;
    out.bidirectional = m_bidirectional;
    if (m_adapterMask) {
        out.prediction = m_prediction;
        out.hasPrediction = out.prediction.hasPrediction;
    }
    out.milliseconds = double(clock.nsecsElapsed()) / 1e6;
    return out;
}

} // namespace fsllm
