// Runs sentence inspection off the GUI thread (worker-object pattern): owns the Engine (the
// selected model, optionally with a run's adapter), and for each query computes the attention of
// every layer under the causal, decay(lambda) and bidirectional masks plus, with an adapter, the
// classifier's prediction under the mask it was trained with. Queries queue up but only the
// latest waiting one runs ("latest wins"), so a dragged slider never builds a backlog; causal and
// bidirectional results are reused while the text stays the same. Every failure is emitted.
// Thread-safety: submit() and cancelPending() from any thread; openModel()/closeModel() are
// invoked queued on the worker's thread; everything else runs on the worker's thread.
#pragma once

#include "metatypes.h"

#include <QObject>
#include <QString>

#include <memory>
#include <mutex>
#include <optional>

namespace fsllm {

class Engine;

struct InspectQuery {
    quint64 id = 0;
    QString text;
    double lambda = 0.5;
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

class InspectWorker : public QObject {
    Q_OBJECT

public:
    explicit InspectWorker(QObject* parent = nullptr);
    ~InspectWorker() override;

    // Thread-safe: replaces any query still waiting, schedules a run on the worker thread.
    void submit(const InspectQuery& query);
    void cancelPending();

    // Worker thread (invoke queued): opens `modelDir`, then loads `adapterDir` when not empty.
    void openModel(const QString& modelDir, const QString& adapterDir);
    void closeModel();

signals:
    void modelOpened(const QString& modelDir, const fsllm::ModelSummary& summary,
                     const QString& adapterDescription);
    void modelFailed(const QString& modelDir, const QString& error);
    void inspected(const fsllm::InspectOutcome& outcome);
    void inspectFailed(quint64 id, const QString& error);

private:
    void processPending();
    InspectOutcome inspect(const InspectQuery& query);

    std::unique_ptr<Engine> m_engine;
    std::optional<MaskSpec> m_adapterMask;
    QString m_cachedText; // the text m_causal and m_bidirectional belong to
    InspectResult m_causal, m_bidirectional;

    std::mutex m_mutex; // guards the two members below
    std::optional<InspectQuery> m_pending;
    bool m_scheduled = false;
};

} // namespace fsllm

Q_DECLARE_METATYPE(fsllm::InspectOutcome)
