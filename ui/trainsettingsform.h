// The Train tab's settings: model folder, task, train/dev files with format and columns, mask
// mode and lambda, pooling, head, LoRA, optimisation, device, threads, local processes (not in
// the TrainingConfig: for N > 1 TrainPanel starts `fsllm train --nproc N`) and the run folder,
// with the memory such a run needs (MemoryEstimateLabel, updated as the fields change). Produces
// a TrainingConfig; remembers every value in QSettings (group "train"). The mouse wheel over a
// combo box or spin box without keyboard focus scrolls the form instead of changing the field.
// Thread-safety: GUI thread only.
#pragma once

#include "trainingconfig.h"

#include <QDateTime>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace fsllm {

class MemoryEstimateLabel;
class PathField;

class TrainSettingsForm : public QWidget {
    Q_OBJECT

public:
    explicit TrainSettingsForm(QWidget* parent = nullptr);

    // The configuration as set; outDir is the run folder field, or autoRunFolder(now) when empty.
    TrainingConfig config(const QDateTime& now = QDateTime::currentDateTime()) const;
    DataReadOptions dataOptions() const;
    // "<runs root>/<yyyyMMdd-HHmmss>-<mask>", e.g. ".../runs/20250101-120000-decay0.5".
    QString autoRunFolder(const QDateTime& now) const;

    QString modelDir() const;
    QString trainFile() const;
    QString devFile() const;
    void setModelDir(const QString& dir);   // emits modelDirChanged
    void setTrainFile(const QString& path); // emits dataChanged
    void setDevFile(const QString& path);   // emits dataChanged
    void setRunFolder(const QString& dir);
    void setEpochs(int epochs);
    void setBatchSize(int batchSize);
    void setEvalEvery(int steps);
    void setLogEvery(int steps);
    void setMask(const MaskSpec& mask);
    void setThreads(int threads); // 0: all cores
    // Local processes of a data-parallel run (1: the studio trains in-process).
    static constexpr int kMaxProcesses = 64;
    int processes() const;
    void setProcesses(int processes);

    // Locks the fields while a job runs.
    void setEditable(bool editable);

    void loadSettings();
    void saveSettings() const;

signals:
    void modelDirChanged(const QString& dir);
    void dataChanged(); // a data file, the task, the format or a column changed

private:
    QWidget* buildModelGroup();
    QWidget* buildDataGroup();
    QWidget* buildMethodGroup();
    QWidget* buildLoraGroup();
    QWidget* buildOptimisationGroup();
    QWidget* buildRuntimeGroup();
    void updateLambdaEnabled();
    void updateMemoryEstimate();

    PathField* m_model;
    QComboBox* m_task;
    PathField* m_train;
    PathField* m_dev;
    QComboBox* m_format;
    QLineEdit* m_textColumn;
    QLineEdit* m_labelColumn;
    QLineEdit* m_csvColumns;
    QSpinBox* m_tagColumn;
    QComboBox* m_mask;
    QDoubleSpinBox* m_lambda;
    QSpinBox* m_maskFromLayer;
    QComboBox* m_pooling;
    QComboBox* m_head;
    QSpinBox* m_loraRank;
    QDoubleSpinBox* m_loraAlpha;
    QDoubleSpinBox* m_loraDropout;
    QLineEdit* m_loraTargets;
    QLineEdit* m_learningRate; // scientific notation ("2e-4")
    QSpinBox* m_batchSize;
    QSpinBox* m_epochs;
    QSpinBox* m_maxLength;
    QSpinBox* m_evalEvery;
    QSpinBox* m_logEvery;
    QSpinBox* m_seed;
    QCheckBox* m_gradientCheckpointing;
    QComboBox* m_device;
    QSpinBox* m_threads;
    QSpinBox* m_processes;
    PathField* m_runFolder;
    MemoryEstimateLabel* m_memory;
    QList<QWidget*> m_editables;
};

} // namespace fsllm
