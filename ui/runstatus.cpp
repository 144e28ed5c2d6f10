#include "runstatus.h"

#include "runlockprobe.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QObject>

namespace fsllm {

namespace {

// train.log lines are "YYYY-MM-DD HH:MM:SS  message": the message part.
QString messageOf(const QString& line) {
    const int split = line.indexOf(QStringLiteral("  "));
    return split < 0 ? line : line.mid(split + 2);
}

} // namespace

RunStatus RunStatus::read(const QString& runDir, bool active) {
    RunStatus status;
    if (active) {
        status.state = RunState::Running;
        return status;
    }
    // A job holds the folder's lock exactly while it runs (CLI or studio, any process).
    const RunLockProbe lock = RunLockProbe::probe(QDir(runDir).absolutePath().toStdString());
    if (lock.held) {
        status.state = RunState::Running;
        if (lock.pid > 0)
            status.detail = QObject::tr("pid %1").arg(lock.pid);
        return status;
    }
    const QString logPath = QDir(runDir).filePath(QStringLiteral("train.log"));
    QFile log(logPath);
    bool started = false;
    bool ended = false;
    if (log.open(QIODevice::ReadOnly | QIODevice::Text)) {
        while (!log.atEnd()) {
            const QString message = messageOf(QString::fromUtf8(log.readLine()).trimmed());
            if (message.startsWith(QLatin1String("error: ")) ||
                message.startsWith(QLatin1String("training failed"))) {
                ended = true;
                status.state = RunState::Failed;
                status.detail =
                    message.startsWith(QLatin1String("error: ")) ? message.mid(7) : message;
            } else if (message.startsWith(QLatin1String("training ")) ||
                       message.startsWith(QLatin1String("resumed from step"))) {
                started = true; // a resumed run starts over: later lines decide
                ended = false;
                status = RunStatus{};
            } else if (message.startsWith(QLatin1String("finished: "))) {
                ended = true;
                const QString reason = message.mid(10).section(QLatin1String(" after "), 0, 0);
                status.state = reason == QLatin1String("stopped by user") ? RunState::Stopped
                                                                          : RunState::Completed;
                status.detail = reason;
            }
        }
    }
    if (ended)
        return status;
    // Steps recorded without a start line (an older or foreign log): it trained.
    started =
        started || QFileInfo(QDir(runDir).filePath(QStringLiteral("metrics.jsonl"))).size() > 0;
    const QFileInfo info(logPath);
    // Without a lock file (a run from before locks), a log written lately means running.
    const bool quiet = lock.lockFileExists || !info.exists() ||
                       info.lastModified().secsTo(QDateTime::currentDateTime()) > kQuietSeconds;
    if (!quiet) {
        status.state = RunState::Running;
    } else if (started) {
        status.state = RunState::Stopped;
        status.detail = QObject::tr("interrupted (no end in train.log)");
    } else {
        status.state = RunState::Failed;
        status.detail = QObject::tr("never started training (see train.log)");
    }
    return status;
}

QString RunStatus::name(RunState state) {
    switch (state) {
    case RunState::Running:
        return QObject::tr("running");
    case RunState::Completed:
        return QObject::tr("completed");
    case RunState::Stopped:
        return QObject::tr("stopped");
    case RunState::Failed:
        return QObject::tr("failed");
    }
    return {};
}

} // namespace fsllm
