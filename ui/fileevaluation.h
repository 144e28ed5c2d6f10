// Evaluates a data file with a trained run off the GUI thread, exactly as
// `fsllm eval --run RUN --data FILE` does (RunEvaluation, through the torch-free facade): the run
// opens with its best/ adapter, the file is read with the run's data options, and the
// predictions and scores are kept in RUN/evaluations/, where ClassReportView lists them.
// One evaluation at a time. Progress is sampled from the pool thread every kPollMs and emitted
// on the GUI thread; cancel() stops the scoring between batches (opening the run and reading the
// file are not interrupted) and a cancelled evaluation writes nothing. Destroying the object
// cancels a running evaluation, whose pool thread then ends on its own and reports to no one.
// Thread-safety: GUI thread only.
#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

#include <memory>

class QTimer;

namespace fsllm {

struct FileEvaluationResult {
    QString runDir, dataFile;   // absolute
    bool cancelled = false;
    QString error;              // the engine's message (names the file and field); "" on success
    int examples = 0;
    double accuracy = 0.0, f1 = 0.0; // fractions
    QString keptPredictions;    // RUN/evaluations/<file>.predictions.*; "" when not kept
    QString keepProblem;        // why the result could not be kept in the run folder; "" when kept
    bool succeeded() const { return !cancelled && error.isEmpty(); }
};

class FileEvaluation : public QObject {
    Q_OBJECT

public:
    static constexpr int kPollMs = 100;

    explicit FileEvaluation(QObject* parent = nullptr);
    ~FileEvaluation() override; // cancels a running evaluation

    // Starts evaluating `dataFile` with the run in `runDir`; false + `error` (one line) while
    // another evaluation runs. Failures of the evaluation itself arrive in finished().
    bool start(const QString& runDir, const QString& dataFile, QString* error);
    void cancel(); // no effect when idle; finished() follows with `cancelled` (or the result)
    bool isRunning() const { return m_running; }
    bool isCancelling() const;
    QString runDir() const { return m_runDir; }
    QString dataFile() const { return m_dataFile; }

signals:
    // Examples scored of `total`; total 0 while the run opens and the file is read.
    void progressed(int done, int total);
    void finished(const fsllm::FileEvaluationResult& result);

private:
    struct Shared;
    void poll();

    std::shared_ptr<Shared> m_shared; // with the pool thread; replaced for each evaluation
    QTimer* m_poll;
    QString m_runDir, m_dataFile;
    bool m_running = false;
    int m_lastDone = -1, m_lastTotal = -1;
};

} // namespace fsllm

Q_DECLARE_METATYPE(fsllm::FileEvaluationResult)
