// Follows the runs listed on the Runs tab while they are written, by the studio or by a CLI
// `fsllm train` in another process: every tick (kIntervalMs) a pool thread polls each followed
// run's MetricsTail (only the bytes appended since the last tick are read) and probes its lock
// (RunLockProbe), and lists the watched folders for run folders that appeared (a sweep starting
// its next run). Results come back on the GUI thread as signals; one poll runs at a time.
// Thread-safety: GUI thread only; the tails are touched by one poll at a time on the pool.
#pragma once

#include "metricstail.h"
#include "runstatus.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace fsllm {

class RunLiveFeed : public QObject {
    Q_OBJECT

public:
    static constexpr int kIntervalMs = 1000;

    explicit RunLiveFeed(QObject* parent = nullptr);

    void setIntervalMs(int milliseconds);
    // Follows `runDir` from where `tail` stands (it has given the records already shown).
    // `running`: as last read; a run that stops being written gets its status read again.
    void follow(const QString& runDir, std::shared_ptr<MetricsTail> tail, bool running);
    void unfollow(const QString& runDir);
    bool isFollowing(const QString& runDir) const { return m_runs.contains(runDir); }
    // Folders of run folders (or run folders) whose new runs are reported by runsAppeared().
    void setWatchedFolders(const QStringList& folders);
    // Polls now (if no poll is running); the timer keeps going.
    void pollNow();

signals:
    // New records of a followed run (batch.restarted: its metrics were rewritten, all of them
    // are in the batch).
    void grew(const QString& runDir, const fsllm::MetricsTail::Batch& batch);
    void statusChanged(const QString& runDir, const fsllm::RunStatus& status);
    void runsAppeared(const QStringList& runDirs);
    void pollFailed(const QString& runDir, const QString& error);
    void polled(); // after every poll's signals

private:
    struct Followed {
        std::shared_ptr<MetricsTail> tail;
        bool running = false;
    };
    struct Result;

    QTimer m_timer;
    QHash<QString, Followed> m_runs;
    QStringList m_watched;
    bool m_inFlight = false;
};

} // namespace fsllm
