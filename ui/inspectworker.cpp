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
}

InspectWorker::~InspectWorker() = default;

void InspectWorker::submit(const InspectQuery& query) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_pending = query;
        if (m_scheduled)
            return; // the scheduled run will take this newer query
        m_scheduled = true;
    }
    QMetaObject::invokeMethod(this, &InspectWorker::processPending, Qt::QueuedConnection);
}

void InspectWorker::cancelPending() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_pending.reset();
}

void InspectWorker::openModel(const QString& modelDir, const QString& adapterDir) {
    m_engine.reset();
    m_adapterMask.reset();
    m_cachedText.clear();
    try {
        m_engine = Engine::open(modelDir.toStdString());
        QString adapter;
        if (!adapterDir.isEmpty()) {
            m_engine->loadAdapter(adapterDir.toStdString());
            const ClassifierSpec* spec = m_engine->classifier();
            m_adapterMask = spec->mask;
            adapter = tr("%1 (%2, %3 labels, trained with %4)")
                          .arg(QFileInfo(adapterDir).fileName(),
                               QString::fromLatin1(taskKindName(spec->task)))
                          .arg(spec->labels.size())
                          .arg(QString::fromStdString(spec->mask.describe()));
        }
        InspectRequest warmUp; // first-call allocations, so the first timing shown is typical
        warmUp.text = "warm up";
        warmUp.wantHidden = false;
        warmUp.wantLogits = false;
        m_engine->inspect(warmUp);
        emit modelOpened(modelDir, m_engine->summary(), adapter);
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
}

void InspectWorker::processPending() {
    std::optional<InspectQuery> query;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        query.swap(m_pending);
        m_scheduled = false;
    }
    if (!query)
        return;
    if (!m_engine) {
        emit inspectFailed(query->id, tr("no model is open"));
        return;
    }
    try {
        emit inspected(inspect(*query));
    } catch (const std::exception& e) {
        emit inspectFailed(query->id, firstLine(e));
    }
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
    if (query.text != m_cachedText) {
        m_cachedText.clear();
        request.mask = MaskSpec{MaskMode::Causal, 0.0};
        m_causal = m_engine->inspect(request);
        request.mask = MaskSpec{MaskMode::Bidirectional, 0.0};
        m_bidirectional = m_engine->inspect(request);
        m_cachedText = query.text;
    }
    out.causal = m_causal;
    out.bidirectional = m_bidirectional;
    request.mask = MaskSpec{MaskMode::Decay, query.lambda};
    out.decay = m_engine->inspect(request);
    if (m_adapterMask) {
        request.mask = *m_adapterMask;
        request.wantAttention = false;
        out.prediction = m_engine->inspect(request);
        out.hasPrediction = out.prediction.hasPrediction;
    }
    out.milliseconds = double(clock.nsecsElapsed()) / 1e6;
    return out;
}

} // namespace fsllm
