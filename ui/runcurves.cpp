#include "runcurves.h"

#include "livecurveplot.h"

namespace fsllm {

namespace {

const RunCurves::Metric kAllMetrics[] = {RunCurves::Metric::TrainLoss, RunCurves::Metric::EvalLoss,
                                         RunCurves::Metric::Accuracy, RunCurves::Metric::F1,
                                         RunCurves::Metric::LearningRate};

LiveCurvePlot* plotFor(const CurvePlots& plots, RunCurves::Metric metric) {
    switch (metric) {
    case RunCurves::Metric::TrainLoss:
        return plots.trainLoss;
    case RunCurves::Metric::EvalLoss:
        return plots.evalLoss;
    case RunCurves::Metric::Accuracy:
    case RunCurves::Metric::F1:
        return plots.scores;
    case RunCurves::Metric::LearningRate:
        return plots.learningRate;
    }
    return nullptr;
}

} // namespace

QString RunCurves::metricName(Metric metric) {
    switch (metric) {
    case Metric::TrainLoss:
        return QStringLiteral("train loss");
    case Metric::EvalLoss:
        return QStringLiteral("eval loss");
    case Metric::Accuracy:
        return QStringLiteral("accuracy");
    case Metric::F1:
        return QStringLiteral("F1");
    case Metric::LearningRate:
        return QStringLiteral("lr");
    }
    return {};
}

QVector<CurvePoint> RunCurves::points(const RunRecord& run, Metric metric) {
    QVector<CurvePoint> out;
    if (metric == Metric::TrainLoss || metric == Metric::LearningRate) {
        out.reserve(int(run.steps.size()));
        for (const StepRecord& s : run.steps)
            out.append({double(s.step), metric == Metric::TrainLoss ? s.trainLoss : s.learningRate,
                        s.wallSeconds});
        return out;
    }
    out.reserve(int(run.evals.size()));
    for (const EvalRecord& e : run.evals) {
        const double value = metric == Metric::EvalLoss   ? e.evalLoss
                             : metric == Metric::Accuracy ? e.accuracy
                                                          : e.f1;
        out.append({double(e.step), value, e.wallSeconds});
    }
    return out;
}

QColor RunCurves::runColor(int index) {
    // Tableau 10, as LiveCurvePlot's own palette.
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                                     QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                                     QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                                     QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
    constexpr int kSize = int(sizeof palette / sizeof palette[0]);
    return palette[((index % kSize) + kSize) % kSize];
}

int RunCurves::addRun(const CurvePlots& plots, const RunRecord& run, const QString& name,
                      const QColor& color) {
    int added = 0;
    for (const Metric metric : kAllMetrics) {
        LiveCurvePlot* plot = plotFor(plots, metric);
        const QVector<CurvePoint> data = points(run, metric);
        if (!plot || data.isEmpty())
            continue;
        const QString series = name + QLatin1Char('/') + metricName(metric);
        plot->appendPoints(series, data);
        if (color.isValid())
            plot->setSeriesColor(series, color);
        if (metric != Metric::TrainLoss && metric != Metric::LearningRate)
            markPoints(plot, series);
        ++added;
    }
    // One colour per run on the scores plot: accuracy solid, F1 dashed.
    const QString accuracy = name + QLatin1Char('/') + metricName(Metric::Accuracy);
    const QString f1 = name + QLatin1Char('/') + metricName(Metric::F1);
    if (plots.scores && plots.scores->pointCount(accuracy) > 0 &&
        plots.scores->pointCount(f1) > 0) {
        plots.scores->setSeriesColor(f1, plots.scores->seriesColor(accuracy));
        if (QCPGraph* graph = plots.scores->smoothedGraph(f1)) {
            QPen pen = graph->pen();
            pen.setStyle(Qt::DashLine);
            graph->setPen(pen);
        }
    }
    return added;
}

void RunCurves::removeRun(const CurvePlots& plots, const QString& name) {
    for (const Metric metric : kAllMetrics)
        if (LiveCurvePlot* plot = plotFor(plots, metric))
            plot->removeSeries(name + QLatin1Char('/') + metricName(metric));
}

void RunCurves::clear(const CurvePlots& plots) {
    for (LiveCurvePlot* plot : {plots.trainLoss, plots.evalLoss, plots.scores, plots.learningRate})
        if (plot)
            plot->clear();
}

void RunCurves::markPoints(LiveCurvePlot* plot, const QString& series) {
    QCPGraph* graph = plot->smoothedGraph(series);
    if (graph && graph->scatterStyle().isNone())
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
}

void RunCurves::setUpPlots(const CurvePlots& plots) {
    if (plots.trainLoss) {
        plots.trainLoss->setTitle(QObject::tr("Train loss"));
        plots.trainLoss->setValueLabel(QObject::tr("loss"));
    }
    if (plots.evalLoss) {
        plots.evalLoss->setTitle(QObject::tr("Eval loss (dev)"));
        plots.evalLoss->setValueLabel(QObject::tr("loss"));
    }
    if (plots.scores) {
        plots.scores->setTitle(QObject::tr("Accuracy / F1 (dev)"));
        plots.scores->setValueLabel(QObject::tr("score"));
        plots.scores->setLegendAlignment(Qt::AlignBottom | Qt::AlignRight);
    }
    if (plots.learningRate) {
        plots.learningRate->setTitle(QObject::tr("Learning rate"));
        plots.learningRate->setValueLabel(QObject::tr("lr"));
    }
}

} // namespace fsllm
