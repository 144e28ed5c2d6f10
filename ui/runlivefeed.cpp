#include "runlivefeed.h"

#include "backgroundcall.h"
#include "reportwriter.h"
#include "runlockprobe.h"

#include <QDir>

#include <exception>

namespace fsllm {

struct RunLiveFeed::Result {
    QString runDir;
    std::shared_ptr<MetricsTail> tail;
    MetricsTail::Batch batch;
    bool statusRead = false;
    RunStatus status;
    QString error;
};

RunLiveFeed::RunLiveFeed(QObject* parent) : QObject(parent) {
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &RunLiveFeed::pollNow);
    m_timer.start();
}

void RunLiveFeed::setIntervalMs(int milliseconds) {
    m_timer.setInterval(milliseconds);
}

void RunLiveFeed::follow(const QString& runDir, std::shared_ptr<MetricsTail> tail, bool running) {
    m_runs.insert(runDir, Followed{std::move(tail), running});
}

void RunLiveFeed::unfollow(const QString& runDir) {
    m_runs.remove(runDir);
}

void RunLiveFeed::setWatchedFolders(const QStringList& folders) {
    m_watched = folders;
}

void RunLiveFeed::pollNow() {
    if (m_inFlight)
        return;
    m_inFlight = true;
    QList<Result> work;
    for (auto it = m_runs.constBegin(); it != m_runs.constEnd(); ++it) {
        Result result;
        result.runDir = it.key();
        result.tail = it->tail;
        result.statusRead = it->running; // decides below whether to read it again
        work << result;
    }
    BackgroundCall::run(
        this,
        [work, watched = m_watched]() {
            QList<Result> results = work;
            for (Result& result : results) {
                const bool wasRunning = result.statusRead;
                result.statusRead = false;
                try {
                    result.batch = result.tail->poll();
                } catch (const std::exception& e) {
                    result.error = QString::fromUtf8(e.what());
                }
                const RunLockProbe lock = RunLockProbe::probe(result.runDir.toStdString());
                // The status changes when a job takes or drops the lock, or (runs from before
                // locks) when an idle folder is written again.
                if (lock.held != wasRunning || (!lock.lockFileExists && !result.batch.empty())) {
                    result.status = RunStatus::read(result.runDir);
                    result.statusRead = true;
                }
            }
            QStringList found;
            for (const QString& folder : watched)
                found << ReportWriter::expandRunFolders(folder);
            return std::make_pair(results, found);
        },
        [this](const std::pair<QList<Result>, QStringList>& done) {
            m_inFlight = false;
            QStringList appeared;
            for (const QString& dir : done.second)
                if (!m_runs.contains(dir) && !appeared.contains(dir))
                    appeared << dir;
            for (const Result& result : done.first) {
                // Receivers may unfollow runs: look the run up again before each use.
                auto it = m_runs.find(result.runDir);
                if (it == m_runs.end() || it->tail != result.tail)
                    continue; // unfollowed (or reloaded) meanwhile
                if (result.statusRead)
                    it->running = result.status.state == RunState::Running;
                if (!result.error.isEmpty())
                    emit pollFailed(result.runDir, result.error);
                if (!result.batch.empty())
                    emit grew(result.runDir, result.batch);
                it = m_runs.find(result.runDir);
                if (result.statusRead && it != m_runs.end() && it->tail == result.tail)
                    emit statusChanged(result.runDir, result.status);
            }
            if (!appeared.isEmpty())
                emit runsAppeared(appeared);
            emit polled();
        });
}

} // namespace fsllm
