// "Sweep…" on the Train tab: which masks, lambdas (decay only), mask-from-layer values
// (non-causal masks only), heads and seeds to train over the Train form's other settings, and the
// folder the runs go to. Shows how many runs the grid makes (or what is wrong with a list) as the
// fields change; OK is enabled only for a valid grid. Thread-safety: GUI thread only.
#pragma once

#include "sweepgrid.h"

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace fsllm {

class SweepDialog : public QDialog {
    Q_OBJECT

public:
    // `base`: the Train form's configuration (what the grid does not vary); `folder`: the default
    // sweep folder.
    SweepDialog(const TrainingConfig& base, const QString& folder, QWidget* parent = nullptr);

    // Throws FsllmError naming the field for an invalid list or no mask / head chosen.
    SweepGrid grid() const;
    QString folder() const;
    int runCount() const; // 0 when the grid is invalid

    // For tests and remembered settings: the lists as typed ("0.1,0.5").
    void setMasks(const QStringList& masks);
    void setHeads(const QStringList& heads);
    void setLambdas(const QString& list);
    void setFromLayers(const QString& list);
    void setSeeds(const QString& list);

private:
    void updateCount();

    TrainingConfig m_base;
    QList<QCheckBox*> m_masks;
    QList<QCheckBox*> m_heads;
    QLineEdit* m_lambdas;
    QLineEdit* m_fromLayers;
    QLineEdit* m_seeds;
    QLineEdit* m_folder;
    QLabel* m_count;
    QDialogButtonBox* m_buttons;
};

} // namespace fsllm
