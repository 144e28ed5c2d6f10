// The studio's sweep queue (Train tab, "Sweep…"): the runs of a SweepGrid over the Train form's
// settings, trained one after another by the panel's one TrainingWorker, each into its own run
// folder under the sweep's folder (the layout `fsllm sweep` writes, summary.md/.csv included).
// Plain bookkeeping; TrainPanel starts the runs. Thread-safety: GUI thread only.
#pragma once

#include "runsignificance.h"
#include "sweepgrid.h"

#include <QString>

#include <vector>

namespace fsllm {

class SweepQueue {
public:
    void start(const QString& folder, std::vector<SweepPoint> points);
    bool isActive() const { return m_active; }
    bool hasNext() const { return m_active && m_next < m_points.size(); }
    // The next run; current() is then its 1-based position.
    const SweepPoint& takeNext();
    int current() const { return int(m_next); }
    int total() const { return int(m_points.size()); }
    int failed() const { return m_failed; }
    void noteFailed() { ++m_failed; }
    QString folder() const { return m_folder; }
    // "run 3/12: genre-decay0.5-fs-s1"
    QString progressText() const;
    // The runs started so far that have a run folder (for the summary).
    std::vector<RunToCompare> startedRuns() const;
    // Writes the folder's summary.md and summary.csv; returns summary.md's path.
    QString writeSummary() const;
    void finish() { m_active = false; }

private:
    QString m_folder;
    std::vector<SweepPoint> m_points;
    std::size_t m_next = 0;
    int m_failed = 0;
    bool m_active = false;
};

} // namespace fsllm
