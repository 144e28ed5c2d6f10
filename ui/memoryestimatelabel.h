// The Train form's "Memory" line: what LoRA training with the form's settings would need
// (MemoryEstimate, from the model folder's config.json alone), beside this machine's RAM, in
// red with a warning when it does not fit. Shows a dash while the folder has no readable
// config.json. Thread-safety: GUI thread only.
#pragma once

#include "trainingconfig.h"

#include <QLabel>

namespace fsllm {

class MemoryEstimateLabel : public QLabel {
    Q_OBJECT

public:
    explicit MemoryEstimateLabel(QWidget* parent = nullptr);
    // Re-estimates for `config` (its model folder, batch size, max length, LoRA, head, device,
    // dtype and gradient checkpointing).
    void showEstimate(const TrainingConfig& config);
    // True when the last estimate exceeded the machine's RAM.
    bool warns() const { return m_warns; }

private:
    bool m_warns = false;
};

} // namespace fsllm
