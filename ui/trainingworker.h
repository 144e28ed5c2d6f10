// Runs one fine-tuning job (TrainingJob) on its own thread: the worker-object pattern
// (docs/design.md §5). Move it to a QThread, then invoke start()/resume() queued; each blocks that
// thread until the job ends. It implements TrainingObserver and re-emits the engine's callbacks as
// queued signals carrying value types. Every exception is caught and emitted as failed(message);
// none crosses the event loop. Thread-safety: start()/resume() run on the worker thread;
// requestStop(), setPaused() and isRunning() may be called from any thread (the GUI thread does).
#pragma once

#include "metatypes.h"
#include "trainingconfig.h"
#include "trainingobserver.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <memory>
#include <mutex>

namespace fsllm {

class TrainingJob;

class TrainingWorker : public QObject, public TrainingObserver {
    Q_OBJECT

public:
    explicit TrainingWorker(QObject* parent = nullptr);
    ~TrainingWorker() override;

    // Blocking: a fresh run with `config` (checked by RunPreflight first: bad settings, model or
    // data fail before any run folder exists), or a stopped run continued from its checkpoint.
    void start(const fsllm::TrainingConfig& config);
    void resume(const QString& runDir);

    void requestStop();          // thread-safe; the job stops at the next step boundary
    void setPaused(bool paused); // thread-safe
    bool isRunning() const { return m_running.load(); }

signals:
    void started(const QString& runDir, int totalSteps, const QStringList& labels);
    void stepped(const fsllm::StepRecord& record);
    void evaluated(const fsllm::EvalRecord& record);
    void message(const QString& text);
    void finished(const fsllm::TrainingSummary& summary);
    void failed(const QString& error);

private:
    // TrainingObserver (called on the worker thread).
    void onStarted(const std::string& runDir, int totalSteps,
                   const std::vector<std::string>& labels) override;
    void onStep(const StepRecord& record) override;
    void onEval(const EvalRecord& record) override;
    void onMessage(const std::string& text) override;
    void onFinished(const TrainingSummary& summary) override;

    void runJob(std::unique_ptr<TrainingJob> job);
    void setJob(TrainingJob* job);
    void clearPending();

    std::mutex m_mutex;           // guards m_job and the pending flags against the GUI thread
    TrainingJob* m_job = nullptr; // owned by runJob() while it runs
    bool m_stopPending = false;
    bool m_pausedPending = false;
    std::atomic<bool> m_running{false};
};

} // namespace fsllm
