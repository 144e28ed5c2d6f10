// The live view of a training run: train loss (EMA smoothing slider), eval loss, dev accuracy/F1
// and learning rate as LiveCurvePlots; an x-axis toggle (steps / wall time) and log-y toggle; a
// progress bar with step/total, epoch, tokens/s, ETA and the best dev score so far. Fed with the
// TrainingWorker's records; the plots coalesce replots (10 Hz), so feeding never stalls the GUI.
// Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "runrecord.h"
#include "trainingrecords.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QProgressBar;
class QSlider;

namespace fsllm {

class ElidedLabel;

class LiveCurvePlot;

class TrainingMonitor : public QWidget {
    Q_OBJECT

public:
    explicit TrainingMonitor(QWidget* parent = nullptr);

    void reset(); // clears every plot and the progress
    void setTotalSteps(int totalSteps);
    void addStep(const StepRecord& record);
    void addEval(const EvalRecord& record);
    void addRecords(const RunRecord& run); // a resumed run's earlier points
    void setStatusText(const QString& text);

    LiveCurvePlot* trainLossPlot() const { return m_trainLoss; }
    LiveCurvePlot* evalLossPlot() const { return m_evalLoss; }
    LiveCurvePlot* scoresPlot() const { return m_scores; }
    LiveCurvePlot* learningRatePlot() const { return m_learningRate; }
    QList<NamedPlot> plots() const;
    QProgressBar* progressBar() const { return m_progress; }
    QString progressText() const; // the labels beside the bar, for tests and screenshots
    QString statusText() const;   // the whole status line (it may show elided)

    void setSmoothing(double weight); // also moves the slider
    void setWallTimeAxis(bool wallTime);
    void setLogScaleY(bool logY);

private:
    QWidget* buildControls();
    QWidget* buildProgress();

    LiveCurvePlot* m_trainLoss;
    LiveCurvePlot* m_evalLoss;
    LiveCurvePlot* m_scores;
    LiveCurvePlot* m_learningRate;
    QSlider* m_smoothing;
    QLabel* m_smoothingValue;
    QComboBox* m_xAxis;
    QCheckBox* m_logY;
    QProgressBar* m_progress;
    QLabel* m_epoch;
    QLabel* m_speed;
    QLabel* m_eta;
    QLabel* m_best;
    ElidedLabel* m_status;
};

} // namespace fsllm
