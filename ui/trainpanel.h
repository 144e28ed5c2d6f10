// The Train tab: settings (TrainSettingsForm) with the model's summary, previews of the train and
// dev files, Start / Pause-Resume / Stop / Resume-run buttons and the live TrainingMonitor. The
// job runs in a TrainingWorker on this panel's own QThread (worker-object pattern); a StallMeter
// measures the GUI thread's longest event-loop stall while it trains. Accepts a checkpoint folder
// dropped anywhere on the tab. Errors show in the panel's message line, never as exceptions.
// "Sweep…" (SweepDialog) queues a grid of runs over the form's settings (SweepQueue): they train
// one after another on the same worker, each into its own folder under the sweep's folder, and
// the sweep's summary.md/.csv is rewritten as each ends; a user's Stop ends the queue. With
// "Processes" N > 1 a run (started or resumed) trains data-parallel in N local processes
// (LocalProcessJob: `fsllm train --nproc N`), its curves read from the run folder; Stop stops
// every rank, Pause is off.
// Thread-safety: GUI thread only; shutdown() stops the job and joins the thread.
#pragma once

#include "engine.h"
#include "exportdialog.h"
#include "sweepqueue.h"
#include "trainingrecords.h"

#include <QString>
#include <QWidget>

class QLabel;
class QPushButton;
class QThread;

namespace fsllm {

class DataPreview;
class LocalProcessJob;
class ModelSummaryView;
class StallMeter;
class TrainSettingsForm;
class TrainingMonitor;
class TrainingWorker;

class TrainPanel : public QWidget {
    Q_OBJECT

public:
    explicit TrainPanel(QWidget* parent = nullptr);
    ~TrainPanel() override;

    TrainSettingsForm* form() const { return m_form; }
    TrainingMonitor* monitor() const { return m_monitor; }
    DataPreview* trainPreview() const { return m_trainPreview; }
    DataPreview* devPreview() const { return m_devPreview; }
    ModelSummaryView* summaryView() const { return m_summary; }
    TrainingWorker* worker() const { return m_worker; } // null after shutdown()
    LocalProcessJob* processJob() const { return m_processJob; }
    StallMeter* stallMeter() const { return m_stall; }
    QList<NamedPlot> plots() const;

    bool isTraining() const { return m_training; }
    bool isPaused() const { return m_paused; }
    QString currentRunDir() const { return m_runDir; } // of the running or last run
    QString messageText() const;                       // the panel's message line
    // Why Start is disabled: the model failed to open or a data preview cannot read its file
    // (in the form's words); empty when a run may start.
    QString startBlocker() const;
    bool canStart() const { return !m_training && !m_shutDown && startBlocker().isEmpty(); }

    // Queues the runs of `grid` over the form's settings into run folders under `folder` and
    // starts the first; false + `error` (one line, in the form's words) when the settings or the
    // grid are invalid or a job runs.
    bool startSweep(const SweepGrid& grid, const QString& folder, QString* error = nullptr);
    const SweepQueue& sweepQueue() const { return m_queue; }

    // Requests a stop, waits for the job to save its checkpoint, and joins the thread. Afterwards
    // no signal of the job reaches this panel, trainingFinished() is never emitted again, the
    // buttons stay disabled and worker() is null. Idempotent.
    void shutdown();
    bool isShutDown() const { return m_shutDown; }

public slots:
    void startTraining();
    void resumeRun(const QString& runDir);
    void togglePause();
    void stopTraining();
    void showModelLoading(const QString& directory);
    void showModelSummary(const fsllm::ModelSummary& summary);
    void showModelError(const QString& directory, const QString& error);

signals:
    void modelDirChanged(const QString& directory);
    void trainingStarted(const QString& runDir);
    void trainingFinished(const QString& runDir, bool completed);
    void sweepStarted(const QString& folder, int runs);
    void sweepFinished(const QString& folder); // every queued run ended, or Stop ended the queue
    void errorOccurred(const QString& message);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildButtons();
    void refreshPreviews();
    void updateStartEnabled();
    void beginJob(int processes);
    void endJob();
    void showMessage(const QString& text, bool error);
    void onStarted(const QString& runDir, int totalSteps, const QStringList& labels);
    void onFinished(const fsllm::TrainingSummary& summary);
    void onFailed(const QString& error);
    void chooseRunToResume();
    void chooseSweep();
    // A fresh run: on the worker (1 process), or `fsllm train --nproc N` (LocalProcessJob).
    void launch(const TrainingConfig& config, int processes);
    void startNextQueued();
    void endSweep(bool stopped);

    TrainSettingsForm* m_form;
    ModelSummaryView* m_summary;
    DataPreview* m_trainPreview;
    DataPreview* m_devPreview;
    TrainingMonitor* m_monitor;
    QLabel* m_message;
    QPushButton* m_start;
    QPushButton* m_pause;
    QPushButton* m_stop;
    QPushButton* m_resume;
    QPushButton* m_sweep;
    SweepQueue m_queue;
    StallMeter* m_stall;
    QThread* m_thread;
    TrainingWorker* m_worker;
    LocalProcessJob* m_processJob;
    QString m_runDir;
    QString m_modelError; // of the model chosen last; empty while it loads or once it opened
    bool m_training = false;
    bool m_paused = false;
    int m_processes = 1; // of the running (or last) job
    bool m_shutDown = false;
};

} // namespace fsllm
