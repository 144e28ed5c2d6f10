// Turns a run folder's records (RunRecord) into LiveCurvePlot series named "run/metric", for the
// Runs tab and the headless report: train loss, eval loss, accuracy/F1 and learning rate.
// Thread-safety: GUI thread only (touches plot widgets); the curve extractors are reentrant.
#pragma once

#include "curveseries.h"
#include "runrecord.h"

#include <QColor>
#include <QString>
#include <QVector>

namespace fsllm {

class LiveCurvePlot;

// The plots one run's curves go to; a null plot is skipped.
struct CurvePlots {
    LiveCurvePlot* trainLoss = nullptr;
    LiveCurvePlot* evalLoss = nullptr;
    LiveCurvePlot* scores = nullptr; // accuracy and F1
    LiveCurvePlot* learningRate = nullptr;
};

class RunCurves {
public:
    enum class Metric { TrainLoss, EvalLoss, Accuracy, F1, LearningRate };

    static QString metricName(Metric metric); // "train loss", "eval loss", "accuracy", "F1", "lr"
    static QVector<CurvePoint> points(const RunRecord& run, Metric metric);

    // Adds the run's series ("<name>/<metric>") to the plots, all in `color` when it is valid
    // (else the plots' next palette colours); F1 is dashed beside accuracy in the run's colour.
    // Returns the number of series added.
    static int addRun(const CurvePlots& plots, const RunRecord& run, const QString& name,
                      const QColor& color = QColor());
    // The colour of the index-th run of an overlay (a qualitative palette, cycling).
    static QColor runColor(int index);
    static void removeRun(const CurvePlots& plots, const QString& name);
    static void clear(const CurvePlots& plots);
    // Draws a series' points as circles too (sparse curves such as evaluations, where a single
    // point would otherwise not show).
    static void markPoints(LiveCurvePlot* plot, const QString& series);
    // Titles and axis labels of a standard comparison figure set.
    static void setUpPlots(const CurvePlots& plots);
};

} // namespace fsllm
