// Runs sentence inspection off the GUI thread (worker-object pattern): owns the Engine (the
// selected model, optionally with a run's adapter), and for each query computes the attention of
// every layer under the causal, decay(lambda) and bidirectional masks plus, with an adapter, the
// classifier's prediction under the mask it was trained with. Queries queue up but only the
// latest waiting one runs ("latest wins"), so a dragged slider never builds a backlog; causal and
// bidirectional results are reused while the text stays the same. Every failure is emitted.
// Thread-safety: submit() and cancelPending() from any thread; openModel()/closeModel() are
// invoked queued on the worker's thread; everything else runs on the worker's thread.
#pragma once

#include "attentionstatistics.h"
#include "attributionresult.h"
#include "metatypes.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace fsllm {

class Engine;

struct InspectQuery {
    quint64 id = 0;
    QString text;
    double lambda = 0.5;
    bool wantSweep = true;       // the lambda sweep after the maps
    bool wantAttribution = true; // token attribution after the maps (with an adapter)
    int attributionSteps = 32;   // integrated-gradients points
    // Token classifiers: the token whose tag is attributed (BOS = 0); -1: the engine picks it
    // under the causal mask, and the other masks explain the same token.
    int attributionToken = -1;
    int sweepPoints = AttentionStatistics::kDefaultGridPoints;
    double sweepMaxLambda = 5.0;
};

struct InspectOutcome {
    quint64 id = 0;
    QString text;
    double lambda = 0.0;
    InspectResult causal, decay, bidirectional; // attention [L][H][T][T] each
    bool hasPrediction = false;
    InspectResult prediction;  // under the adapter's own mask (no attention kept)
    double milliseconds = 0.0; // inspection time of this query
};

struct SweepOutcome {
    quint64 id = 0;
    QString text;
    LambdaSweep sweep;
    double milliseconds = 0.0;
};

struct AttributionOutcome {
    quint64 id = 0;
    QString text;
    double lambda = 0.0;
    std::vector<AttributionResult> results; // causal, decay(lambda), bidirectional
    double milliseconds = 0.0;
};

class InspectWorker : public QObject {
    Q_OBJECT

public:
    explicit InspectWorker(QObject* parent = nullptr);
    ~InspectWorker() override;

    // Thread-safe: replaces any query still waiting, schedules a run on the worker thread.
    void submit(const InspectQuery& query);
    void cancelPending();

    // Worker thread (invoke queued): opens `modelDir`, then loads `adapterDir` when not empty.
    // Emits loadProgress while the weights load, then modelOpened, or modelFailed (also when
    // cancelled: the error then says "opening cancelled"). `serial` is beginOpen()'s number for
    // this open (0: take a new one now).
    void openModel(const QString& modelDir, const QString& adapterDir, quint64 serial = 0);
    void closeModel();

    // Thread-safe. beginOpen() numbers the next open and cancels any open still loading (a
    // newer one supersedes it); requestOpenCancel() cancels the opens numbered so far. A
    // cancelled open stops between two weight tensors.
    quint64 beginOpen() { return ++m_openSerial; }
    void requestOpenCancel() { m_cancelledUpTo = m_openSerial.load(); }

    // Thread-safe, for shutdown: whatever runs stops at its next check (before a decoder layer,
    // between weight tensors, between analysis steps) without emitting a result.
    void stop() { m_stopping = true; }

    // Models up to this many parameters get a warm-up inspection after opening (first-call
    // allocations, so the first timing shown is typical); bigger ones would spend minutes on it.
    static constexpr std::int64_t kWarmUpMaxParameters = 300'000'000;

signals:
    void modelOpened(const QString& modelDir, const fsllm::ModelSummary& summary,
                     const QString& adapterDescription);
    void modelFailed(const QString& modelDir, const QString& error);
    // Bytes of weights placed so far and in all; at most about 200 per open (each 0.5 %).
    void loadProgress(const QString& modelDir, qint64 bytesDone, qint64 bytesTotal);
    void inspected(const fsllm::InspectOutcome& outcome);
    void inspectFailed(quint64 id, const QString& error);
    void swept(const fsllm::SweepOutcome& outcome);
    void attributed(const fsllm::AttributionOutcome& outcome);
    void analysisFailed(quint64 id, const QString& error); // the sweep or the attribution

private:
    void processPending();
    InspectOutcome inspect(const InspectQuery& query);
    // Both return false when a newer query or a cancel arrived while they ran.
    bool sweep(const InspectQuery& query, quint64 generation, SweepOutcome* out);
    bool attribute(const InspectQuery& query, quint64 generation, AttributionOutcome* out);
    bool superseded(quint64 generation) const {
        return m_stopping.load() || m_generation.load() != generation;
    }

    std::unique_ptr<Engine> m_engine;
    std::optional<MaskSpec> m_adapterMask;
    QString m_cachedText; // the text m_causal, m_bidirectional and m_prediction belong to
    InspectResult m_causal, m_bidirectional;
    InspectResult m_prediction; // under the adapter's own mask: independent of the slider
    bool m_classifierLoaded = false;
    QString m_sweepText; // the text m_sweep belongs to
    LambdaSweep m_sweep;
    QString m_attributionText; // the text m_attributionCausal/-Bidirectional belong to
    int m_attributionSteps = 0;
    int m_attributionToken = -1; // the query's token (-1: automatic) they were computed for
    AttributionResult m_attributionCausal, m_attributionBidirectional;
    std::atomic<quint64> m_generation{0}; // bumped by submit() and cancelPending()
    std::atomic<quint64> m_openSerial{0};    // the newest open's number
    std::atomic<quint64> m_cancelledUpTo{0}; // opens numbered up to this are cancelled
    std::atomic<bool> m_stopping{false};

    std::mutex m_mutex; // guards the two members below
    std::optional<InspectQuery> m_pending;
    bool m_scheduled = false;
};

} // namespace fsllm

Q_DECLARE_METATYPE(fsllm::InspectOutcome)
Q_DECLARE_METATYPE(fsllm::SweepOutcome)
Q_DECLARE_METATYPE(fsllm::AttributionOutcome)
