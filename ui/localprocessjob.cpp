#include "localprocessjob.h"

#include "atomicfile.h"
#include "backgroundcall.h"
#include "runpreflight.h"
#include "runrecord.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <exception>

namespace fsllm {

namespace {

// The longest stdout line kept while its newline is awaited, and the longest stderr line shown in
// the panel: the job's own lines are far shorter.
constexpr int kMaxLineBytes = 64 * 1024;
constexpr int kMaxErrorChars = 600;

// "labels (3): a, b, c" (the job's message) -> {"a", "b", "c"}; false for any other line.
bool parseLabels(const QString& line, QStringList* labels) {
    if (!line.startsWith(QLatin1String("labels (")))
        return false;
    const int colon = line.indexOf(QLatin1String("): "));
    if (colon < 0)
        return false;
    *labels = line.mid(colon + 3).split(QStringLiteral(", "));
    return true;
}

} // namespace

LocalProcessJob::LocalProcessJob(QObject* parent) : QObject(parent) {
    registerStudioMetaTypes();
    m_timer.setInterval(kPollMs);
    connect(&m_timer, &QTimer::timeout, this, &LocalProcessJob::poll);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &LocalProcessJob::readOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this, &LocalProcessJob::readErrors);
    connect(&m_process, &QProcess::finished, this, &LocalProcessJob::onProcessFinished);
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && !m_shutDown) {
            m_timer.stop();
            emit failed(tr("%1 could not be started (%2); data-parallel runs use the command-line "
                           "tool beside the studio, or the one $FSLLM_CLI names")
                            .arg(m_process.program(), m_process.errorString()));
        }
    });
}

LocalProcessJob::~LocalProcessJob() {
    shutdown();
}

QString LocalProcessJob::cliPath() {
    const QString fromEnvironment = qEnvironmentVariable("FSLLM_CLI");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("fsllm"));
}

void LocalProcessJob::start(const TrainingConfig& config, int processes) {
    if (m_shutDown || m_checking || isRunning())
        return;
    m_checking = true;
    m_stopPending = false;
    BackgroundCall::run(
        this,
        [config]() -> QString {
            try {
                RunPreflight::check(config); // before the job creates the run folder
                return {};
            } catch (const std::exception& e) {
                return QString::fromUtf8(e.what());
            }
        },
        [this, config, processes](const QString& problem) {
            m_checking = false;
            if (m_shutDown)
                return;
            if (!problem.isEmpty())
                emit failed(problem);
            else if (m_stopPending)
                emit failed(tr("stopped before the run started; nothing was written"));
            else
                launchChecked(config, processes);
        });
}

void LocalProcessJob::launchChecked(const TrainingConfig& config, int processes) {
    if (!m_settingsDir.isValid()) {
        emit failed(tr("cannot create a temporary folder for the run's settings"));
        return;
    }
    const QString settings = m_settingsDir.filePath(QStringLiteral("run.json"));
    try {
        AtomicFile::write(settings.toStdString(), config.toJsonText());
    } catch (const std::exception& e) {
        emit failed(QString::fromUtf8(e.what()));
        return;
    }
    const QString runDir = QString::fromStdString(config.outDir);
    launch({QStringLiteral("train"), QStringLiteral("--config"), settings, QStringLiteral("--out"),
            runDir, QStringLiteral("--nproc"), QString::number(processes)},
           runDir);
}

void LocalProcessJob::resume(const QString& runDir, int processes) {
    launch({QStringLiteral("train"), QStringLiteral("--resume"), runDir, QStringLiteral("--nproc"),
            QString::number(processes)},
           runDir);
}

void LocalProcessJob::launch(const QStringList& arguments, const QString& runDir) {
    if (m_shutDown || isRunning())
        return;
    m_runDir = runDir;
    m_jobStarted = false;
    m_stopPending = false;
    m_outputLine.clear();
    m_lastError.clear();
    m_tail = std::make_unique<MetricsTail>(
        QDir(runDir).filePath(QStringLiteral("metrics.jsonl")).toStdString());
    m_lastStep = m_lastEvalStep = 0;
    try { // a resumed run's records are shown already: follow from the last of them
        const MetricsTail::Batch shown = m_tail->poll();
        for (const StepRecord& step : shown.steps)
            m_lastStep = std::max(m_lastStep, step.step);
        for (const EvalRecord& eval : shown.evals)
            m_lastEvalStep = std::max(m_lastEvalStep, eval.step);
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
    }
    spdlog::info("starting {} {}", cliPath().toStdString(), arguments.join(' ').toStdString());
    m_process.start(cliPath(), arguments); // started() comes with the job's labels line
    m_timer.start();
}

void LocalProcessJob::requestStop() {
    if (isRunning() && m_jobStarted)
        ::kill(static_cast<pid_t>(m_process.processId()), SIGINT);
    else
        m_stopPending = true; // sent when the job says its labels (or nothing is started)
}

void LocalProcessJob::shutdown() {
    if (m_shutDown)
        return;
    m_shutDown = true;
    m_timer.stop();
    disconnect(&m_process, nullptr, this, nullptr);
    if (!isRunning())
        return;
    spdlog::info("stopping the data-parallel run in {} (a checkpoint is saved)",
                 m_runDir.toStdString());
    // Now, even before the job said its labels: a job killed that early has written nothing
    // a later run cannot redo.
    ::kill(static_cast<pid_t>(m_process.processId()), SIGINT);
    if (!m_process.waitForFinished(kShutdownWaitMs)) {
        spdlog::warn("the run in {} did not stop within {} s; killed (its last checkpoint is "
                     "kept)",
                     m_runDir.toStdString(), kShutdownWaitMs / 1000);
        m_process.kill();
        m_process.waitForFinished();
    }
}

void LocalProcessJob::readOutput() {
    m_outputLine += m_process.readAllStandardOutput();
    for (int end = m_outputLine.indexOf('\n'); end >= 0; end = m_outputLine.indexOf('\n')) {
        const QString line = QString::fromUtf8(m_outputLine.left(end)).trimmed();
        m_outputLine.remove(0, end + 1);
        QStringList labels;
        if (parseLabels(line, &labels)) {
            m_jobStarted = true;
            emit started(m_runDir, 0, labels);
            if (m_stopPending)
                requestStop();
        }
        else if (!line.isEmpty() && !line.startsWith(QLatin1String("step ")))
            emit message(line); // the curves come from metrics.jsonl
    }
    if (m_outputLine.size() > kMaxLineBytes)
        m_outputLine.clear(); // not a line of the job's: nothing to show
}

void LocalProcessJob::readErrors() {
    const QStringList lines =
        QString::fromUtf8(m_process.readAllStandardError()).split('\n', Qt::SkipEmptyParts);
    for (const QString& line : lines)
        spdlog::warn("fsllm train: {}", line.left(kMaxErrorChars).toStdString());
    if (!lines.isEmpty()) {
        m_lastError = lines.last().trimmed();
        if (m_lastError.size() > kMaxErrorChars)
            m_lastError = m_lastError.left(kMaxErrorChars) + QStringLiteral("…");
    }
}

void LocalProcessJob::poll() {
    if (!m_tail)
        return;
    try {
        // Steps already shown are not shown twice: a resumed run rewrites metrics.jsonl (read
        // again from its start) and trains the steps after its checkpoint again.
        const MetricsTail::Batch batch = m_tail->poll();
        for (const StepRecord& step : batch.steps)
            if (step.step > m_lastStep) {
                m_lastStep = step.step;
                emit stepped(step);
            }
        for (const EvalRecord& eval : batch.evals)
            if (eval.step > m_lastEvalStep) {
                m_lastEvalStep = eval.step;
                emit evaluated(eval);
            }
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what()); // a malformed line: the run's own problem, shown at its end
    }
}

// The run's outcome from its folder: the last "finished: <reason> after N steps" line of
// train.log and the best evaluation of metrics.jsonl.
TrainingSummary LocalProcessJob::summary() const {
    TrainingSummary summary;
    summary.runDir = m_runDir.toStdString();
    QFile log(QDir(m_runDir).filePath(QStringLiteral("train.log")));
    if (log.open(QIODevice::ReadOnly))
        for (const QByteArray& raw : log.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw);
            const int at = line.indexOf(QLatin1String("  finished: "));
            if (at < 0)
                continue;
            const QString rest = line.mid(at + 12);
            const int after = rest.indexOf(QLatin1String(" after "));
            summary.stopReason = rest.left(after).toStdString();
            summary.steps = rest.mid(after + 7).section(' ', 0, 0).toInt();
        }
    summary.completed = !summary.stopReason.empty() && summary.stopReason != "stopped by user";
    try {
        if (const auto best = RunRecord::load(summary.runDir).best())
            summary.best = *best;
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
    }
    return summary;
}

void LocalProcessJob::onProcessFinished(int exitCode, QProcess::ExitStatus status) {
    m_timer.stop();
    readOutput();
    readErrors();
    poll(); // the last records
    if (status == QProcess::NormalExit && exitCode == 0) {
        emit finished(summary());
        return;
    }
    emit failed(m_lastError.isEmpty()
                    ? tr("fsllm train ended with %1")
                          .arg(status == QProcess::CrashExit ? tr("a crash")
                                                             : tr("exit code %1").arg(exitCode))
                    : m_lastError);
}

} // namespace fsllm
