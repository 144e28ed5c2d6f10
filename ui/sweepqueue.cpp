#include "sweepqueue.h"

#include "sweepsummary.h"
#include "trainingconfig.h"

#include <QFileInfo>

namespace fsllm {

void SweepQueue::start(const QString& folder, std::vector<SweepPoint> points) {
    m_folder = folder;
    m_points = std::move(points);
    m_next = 0;
    m_failed = 0;
    m_active = true;
}

const SweepPoint& SweepQueue::takeNext() {
    return m_points[m_next++];
}

QString SweepQueue::progressText() const {
    if (m_next == 0 || m_next > m_points.size())
        return {};
    return QObject::tr("run %1/%2: %3")
        .arg(current())
        .arg(total())
        .arg(QString::fromStdString(m_points[m_next - 1].name));
}

std::vector<RunToCompare> SweepQueue::startedRuns() const {
    std::vector<RunToCompare> runs;
    for (std::size_t i = 0; i < m_next && i < m_points.size(); ++i) {
        const TrainingConfig& config = m_points[i].config;
        if (QFileInfo::exists(QString::fromStdString(config.outDir + "/" +
                                                     TrainingConfig::kFileName)))
            runs.push_back({config.outDir, config});
    }
    return runs;
}

QString SweepQueue::writeSummary() const {
    const auto written =
        SweepSummary::write(SweepSummary::rows(startedRuns()), m_folder.toStdString());
    return QString::fromStdString(written.front());
}

} // namespace fsllm
