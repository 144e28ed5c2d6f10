// A data-parallel run on N local processes, started from the studio: `fsllm train --config
// <settings> --nproc N` (or `--resume DIR --nproc N`) as a child process, the CLI's own launcher
// (rank 0 in that child, ranks 1..N-1 its children). The run folder is followed as the Runs tab
// follows any run: the lines metrics.jsonl gains are read every kPollMs and re-emitted with the
// same signals as TrainingWorker, so the Train tab's monitor shows the curves live. Stop sends
// SIGINT (every rank stops at the same step and saves the checkpoint); there is no pause.
// The CLI is `fsllm` beside the studio's executable, or $FSLLM_CLI.
// Thread-safety: GUI thread only.
#pragma once

#include "metatypes.h"
#include "metricstail.h"
#include "trainingconfig.h"

#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>

namespace fsllm {

class LocalProcessJob : public QObject {
    Q_OBJECT

public:
    static constexpr int kPollMs = 250;
    // How long shutdown() waits for the ranks to save their checkpoint before killing them.
    static constexpr int kShutdownWaitMs = 60'000;

    explicit LocalProcessJob(QObject* parent = nullptr);
    ~LocalProcessJob() override;

    // The CLI the job starts: $FSLLM_CLI, else `fsllm` in the studio's executable folder.
    static QString cliPath();

    // A fresh run of `config` on `processes` (>= 2) processes, after RunPreflight's checks (on a
    // pool thread: nothing is created for bad settings, model or data); a stopped run continued
    // on them. A problem starting it is reported by failed().
    void start(const TrainingConfig& config, int processes);
    void resume(const QString& runDir, int processes);

    // SIGINT: the ranks stop at the next step boundary, checkpoint saved (sent once the job has
    // installed its handler, i.e. said its labels; before the launch nothing is started).
    void requestStop();
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    // Stops a running job (requestStop, then a kill after kShutdownWaitMs) and waits for it;
    // afterwards no signal is emitted. Idempotent.
    void shutdown();

signals:
    void started(const QString& runDir, int totalSteps, const QStringList& labels);
    void stepped(const fsllm::StepRecord& record);
    void evaluated(const fsllm::EvalRecord& record);
    void message(const QString& text);
    void finished(const fsllm::TrainingSummary& summary);
    void failed(const QString& error);

private:
    void launch(const QStringList& arguments, const QString& runDir);
    void launchChecked(const TrainingConfig& config, int processes);
    void readOutput();
    void readErrors();
    void poll();
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    TrainingSummary summary() const;

    QProcess m_process;
    QTimer m_timer;
    QTemporaryDir m_settingsDir; // the settings the child reads (--config)
    QString m_runDir;
    std::unique_ptr<MetricsTail> m_tail;
    int m_lastStep = 0;     // the last step record emitted
    int m_lastEvalStep = 0; // the step of the last evaluation emitted
    QByteArray m_outputLine; // stdout bytes after the last newline
    QString m_lastError;     // the child's last stderr line
    bool m_checking = false;    // RunPreflight runs
    bool m_jobStarted = false;  // the job said its labels: its stop handler is installed
    bool m_stopPending = false; // Stop came before that
    bool m_shutDown = false;
};

} // namespace fsllm
