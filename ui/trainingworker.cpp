#include "trainingworker.h"

#include "fsllmerror.h"
#include "runpreflight.h"
#include "trainingjob.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace fsllm {

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {
    registerStudioMetaTypes();
}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::start(const TrainingConfig& config) {
    std::unique_ptr<TrainingJob> job;
    try {
        RunPreflight::check(config); // before the job creates the run folder
        job = std::make_unique<TrainingJob>(config);
    } catch (const std::exception& e) {
        clearPending();
        emit failed(QString::fromUtf8(e.what()));
        return;
    }
    runJob(std::move(job));
}

void TrainingWorker::resume(const QString& runDir) {
    std::unique_ptr<TrainingJob> job;
    try {
        job = TrainingJob::resuming(runDir.toStdString());
    } catch (const std::exception& e) {
        clearPending();
        emit failed(QString::fromUtf8(e.what()));
        return;
    }
    runJob(std::move(job));
}

void TrainingWorker::setJob(TrainingJob* job) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_job = job;
    if (!job)
        return;
    job->setPaused(m_pausedPending);
    if (m_stopPending)
        job->requestStop();
}

void TrainingWorker::clearPending() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stopPending = false;
    m_pausedPending = false;
}

void TrainingWorker::runJob(std::unique_ptr<TrainingJob> job) {
    m_running = true;
    setJob(job.get());
    QString error;
    try {
        job->run(this);
    } catch (const std::exception& e) {
        // LibTorch appends a C++ backtrace to its messages: keep the first line only.
        const std::string text = e.what();
        error = QString::fromUtf8(text.substr(0, text.find('\n')).c_str());
    } catch (...) {
        error = tr("training failed with an unknown error");
    }
    setJob(nullptr);
    clearPending();
    m_running = false;
    if (!error.isEmpty()) {
        spdlog::error("training failed: {}", error.toStdString());
        emit failed(error);
    }
}

void TrainingWorker::requestStop() {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_stopPending = true;
    if (m_job)
        m_job->requestStop();
}

void TrainingWorker::setPaused(bool paused) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_pausedPending = paused;
    if (m_job)
        m_job->setPaused(paused);
}

void TrainingWorker::onStarted(const std::string& runDir, int totalSteps,
                               const std::vector<std::string>& labels) {
    QStringList names;
    for (const auto& label : labels)
        names << QString::fromStdString(label);
    emit started(QString::fromStdString(runDir), totalSteps, names);
}

void TrainingWorker::onStep(const StepRecord& record) {
    emit stepped(record);
}

void TrainingWorker::onEval(const EvalRecord& record) {
    emit evaluated(record);
}

void TrainingWorker::onMessage(const std::string& text) {
    spdlog::info("{}", text);
    emit message(QString::fromStdString(text));
}

void TrainingWorker::onFinished(const TrainingSummary& summary) {
    emit finished(summary);
}

} // namespace fsllm
