#include "fileevaluation.h"

#include "backgroundcall.h"
#include "runevaluation.h"

#include <QDir>
#include <QFileInfo>
#include <QTimer>

#include <atomic>
#include <exception>

namespace fsllm {

struct FileEvaluation::Shared {
    std::atomic<bool> cancel{false};
    std::atomic<int> done{0}, total{0};
};

FileEvaluation::FileEvaluation(QObject* parent) : QObject(parent), m_poll(new QTimer(this)) {
    qRegisterMetaType<FileEvaluationResult>("fsllm::FileEvaluationResult");
    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, this, &FileEvaluation::poll);
}

FileEvaluation::~FileEvaluation() {
    cancel();
}

bool FileEvaluation::isCancelling() const {
    return m_running && m_shared && m_shared->cancel.load();
}

bool FileEvaluation::start(const QString& runDir, const QString& dataFile, QString* error) {
    if (m_running) {
        if (error)
            *error = tr("%1 is still being evaluated with %2; wait for it or cancel it first.")
                         .arg(QFileInfo(m_dataFile).fileName(), QFileInfo(m_runDir).fileName());
        return false;
    }
    m_runDir = QDir(runDir).absolutePath();
    m_dataFile = QFileInfo(dataFile).absoluteFilePath();
    m_running = true;
    m_lastDone = m_lastTotal = 0;
    m_shared = std::make_shared<Shared>();
    m_poll->start();
    emit progressed(0, 0);
    BackgroundCall::run(
        this,
        [shared = m_shared, run = m_runDir, data = m_dataFile]() {
            FileEvaluationResult result;
            result.runDir = run;
            result.dataFile = data;
            RunEvaluationRequest request;
            request.runDir = run.toStdString();
            request.dataFile = data.toStdString();
            request.control.progress = [shared](int done, int total) {
                shared->total = total;
                shared->done = done;
            };
            request.control.cancel = [shared] { return shared->cancel.load(); };
            try {
                const RunEvaluationOutcome outcome = RunEvaluation::run(request);
                result.cancelled = outcome.report.cancelled;
                result.examples = outcome.report.examples;
                result.accuracy = outcome.report.accuracy;
                result.f1 = outcome.report.f1;
                result.keptPredictions = QString::fromStdString(outcome.keptPredictions);
                result.keepProblem = QString::fromStdString(outcome.keepProblem);
            } catch (const std::exception& e) { // FsllmError, or a library's error
                result.error = QString::fromUtf8(e.what());
            }
            return result;
        },
        [this](const FileEvaluationResult& result) {
            poll(); // the last progress before the result
            m_poll->stop();
            m_running = false;
            emit finished(result);
        });
    return true;
}

void FileEvaluation::cancel() {
    if (m_running && m_shared)
        m_shared->cancel = true;
}

void FileEvaluation::poll() {
    if (!m_shared)
        return;
    const int done = m_shared->done, total = m_shared->total;
    if (done == m_lastDone && total == m_lastTotal)
        return;
    m_lastDone = done;
    m_lastTotal = total;
    emit progressed(done, total);
}

} // namespace fsllm
