#include "memoryestimatelabel.h"

#include "fsllmerror.h"
#include "memoryestimate.h"
#include "memoryprobe.h"
#include "modelconfig.h"

#include <filesystem>

namespace fsllm {

MemoryEstimateLabel::MemoryEstimateLabel(QWidget* parent) : QLabel(parent) {
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setText(QStringLiteral("-"));
}

void MemoryEstimateLabel::showEstimate(const TrainingConfig& config) {
    m_warns = false;
    const std::string configPath = config.modelDir + "/config.json";
    std::error_code error;
    if (config.modelDir.empty() || !std::filesystem::is_regular_file(configPath, error)) {
        setText(QStringLiteral("-"));
        setToolTip(tr("Choose a model folder to see the memory a run needs"));
        setStyleSheet({});
        return;
    }
    try {
        const MemoryEstimate estimate = MemoryEstimate::estimate(
            MemoryEstimate::inputFor(config, ModelConfig::fromFile(configPath), 2));
        const long ram = MemoryProbe::totalRamMiB();
        const double needed = estimate.trainingMiB(config.gradientCheckpointing);
        m_warns = ram > 0 && needed > ram;
        setText(tr("about %1 GiB for training (weights %2, activations %3)%4")
                    .arg(needed / 1024.0, 0, 'f', 1)
                    .arg(QString::number(estimate.weightsMiB / 1024.0, 'f', 1) +
                         QStringLiteral(" GiB"))
                    .arg(QString::number((config.gradientCheckpointing
                                              ? estimate.activationsRecomputeMiB
                                              : estimate.activationsMiB) /
                                             1024.0,
                                         'f', 1) +
                         QStringLiteral(" GiB"))
                    .arg(m_warns ? tr(": more than this machine's %1 GiB of RAM; lower the batch "
                                      "size or max length, or tick gradient checkpointing")
                                       .arg(ram / 1024.0, 0, 'f', 1)
                                 : QString()));
        setToolTip(QString::fromStdString(estimate.toText(ram)));
        setStyleSheet(m_warns ? QStringLiteral("color: #c0392b;") : QString());
    } catch (const FsllmError& e) {
        setText(QStringLiteral("-"));
        setToolTip(QString::fromStdString(e.what()));
        setStyleSheet({});
    }
}

} // namespace fsllm
