#include "trainingmonitor.h"

#include "elidedlabel.h"
#include "livecurveplot.h"
#include "runcurves.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QSlider>
#include <QVBoxLayout>

#include <cmath>

namespace fsllm {

namespace {

constexpr int kSliderSteps = 99; // slider value / 100 = EMA weight, up to 0.99

QString durationText(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    const qint64 s = qint64(std::llround(seconds));
    if (s < 60)
        return QStringLiteral("%1 s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TrainingMonitor::TrainingMonitor(QWidget* parent) : QWidget(parent) {
    m_trainLoss = new LiveCurvePlot;
    m_evalLoss = new LiveCurvePlot;
    m_scores = new LiveCurvePlot;
    m_learningRate = new LiveCurvePlot;
    RunCurves::setUpPlots({m_trainLoss, m_evalLoss, m_scores, m_learningRate});
    m_evalLoss->setSmoothing(0.0); // one point per evaluation: draw them as they are
    m_scores->setSmoothing(0.0);
    m_learningRate->setSmoothing(0.0);
    for (const NamedPlot& named : plots()) {
        named.plot->setMinimumSize(180, 110);
        ExportDialog::installContextMenu(named.plot, named.name);
    }

    auto* grid = new QGridLayout;
    grid->setSpacing(6);
    grid->addWidget(m_trainLoss, 0, 0);
    grid->addWidget(m_evalLoss, 0, 1);
    grid->addWidget(m_scores, 1, 0);
    grid->addWidget(m_learningRate, 1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(buildControls());
    layout->addLayout(grid, 1);
    layout->addWidget(buildProgress());
    reset();
}

QWidget* TrainingMonitor::buildControls() {
    m_smoothing = new QSlider(Qt::Horizontal);
    m_smoothing->setRange(0, kSliderSteps);
    m_smoothing->setValue(int(std::lround(m_trainLoss->smoothing() * 100)));
    m_smoothing->setMaximumWidth(160);
    m_smoothing->setToolTip(tr("EMA smoothing of the train loss curve"));
    m_smoothingValue = new QLabel;
    m_smoothingValue->setMinimumWidth(m_smoothingValue->fontMetrics().horizontalAdvance("0.00 "));
    m_xAxis = new QComboBox;
    m_xAxis->addItems({tr("steps"), tr("wall time")});
    m_logY = new QCheckBox(tr("log y"));
    connect(m_smoothing, &QSlider::valueChanged, this, [this](int value) {
        m_trainLoss->setSmoothing(value / 100.0);
        m_smoothingValue->setText(QString::number(value / 100.0, 'f', 2));
    });
    connect(m_xAxis, &QComboBox::currentIndexChanged, this,
            [this](int index) { setWallTimeAxis(index == 1); });
    connect(m_logY, &QCheckBox::toggled, this, &TrainingMonitor::setLogScaleY);
    m_smoothingValue->setText(QString::number(m_smoothing->value() / 100.0, 'f', 2));

    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Smoothing")));
    layout->addWidget(m_smoothing);
    layout->addWidget(m_smoothingValue);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("x axis")));
    layout->addWidget(m_xAxis);
    layout->addSpacing(12);
    layout->addWidget(m_logY);
    layout->addStretch(1);
    return row;
}

QWidget* TrainingMonitor::buildProgress() {
    m_progress = new QProgressBar;
    m_progress->setTextVisible(true);
    m_progress->setMinimumWidth(200);
    m_epoch = new QLabel;
    m_speed = new QLabel;
    m_eta = new QLabel;
    m_best = new QLabel;
    // The status line (labels found, stop reason, errors) gets a line of its own across the whole
    // width, elided in the middle (full text in its tooltip) so it never widens the window.
    m_status = new ElidedLabel;
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    m_status->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_best->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto* box = new QWidget;
    auto* lines = new QVBoxLayout(box);
    lines->setContentsMargins(0, 0, 0, 0);
    lines->setSpacing(2);
    auto* layout = new QHBoxLayout;
    layout->addWidget(m_progress, 3);
    for (QLabel* label : {m_epoch, m_speed, m_eta})
        layout->addWidget(label);
    layout->addWidget(m_best, 2);
    lines->addLayout(layout);
    lines->addWidget(m_status);
    return box;
}

QList<NamedPlot> TrainingMonitor::plots() const {
    return {{tr("Train loss"), m_trainLoss},
            {tr("Eval loss"), m_evalLoss},
            {tr("Accuracy F1"), m_scores},
            {tr("Learning rate"), m_learningRate}};
}

void TrainingMonitor::reset() {
    RunCurves::clear({m_trainLoss, m_evalLoss, m_scores, m_learningRate});
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("not started"));
    m_epoch->setText(tr("epoch –"));
    m_speed->setText(tr("– tok/s"));
    m_eta->setText(tr("ETA –"));
    m_best->setText(tr("best –"));
    m_status->setFullText(QString());
}

void TrainingMonitor::setTotalSteps(int totalSteps) {
    m_progress->setRange(0, std::max(1, totalSteps));
    m_progress->setFormat(tr("step %v / %m"));
}

void TrainingMonitor::addStep(const StepRecord& r) {
    if (r.totalSteps > 0 && m_progress->maximum() != r.totalSteps)
        setTotalSteps(r.totalSteps);
    m_progress->setValue(std::min(r.step, m_progress->maximum()));
    m_trainLoss->appendPoint(RunCurves::metricName(RunCurves::Metric::TrainLoss), r.step,
                             r.trainLoss, r.wallSeconds);
    m_learningRate->appendPoint(RunCurves::metricName(RunCurves::Metric::LearningRate), r.step,
                                r.learningRate, r.wallSeconds);
    m_epoch->setText(tr("epoch %1").arg(r.epoch, 0, 'f', 2));
    m_speed->setText(tr("%1 tok/s").arg(r.tokensPerSecond, 0, 'f', 0));
    m_eta->setText(tr("ETA %1").arg(durationText(r.etaSeconds)));
}

void TrainingMonitor::addEval(const EvalRecord& r) {
    m_evalLoss->appendPoint(RunCurves::metricName(RunCurves::Metric::EvalLoss), r.step, r.evalLoss,
                            r.wallSeconds);
    m_scores->appendPoint(RunCurves::metricName(RunCurves::Metric::Accuracy), r.step, r.accuracy,
                          r.wallSeconds);
    m_scores->appendPoint(RunCurves::metricName(RunCurves::Metric::F1), r.step, r.f1,
                          r.wallSeconds);
    RunCurves::markPoints(m_evalLoss, RunCurves::metricName(RunCurves::Metric::EvalLoss));
    RunCurves::markPoints(m_scores, RunCurves::metricName(RunCurves::Metric::Accuracy));
    RunCurves::markPoints(m_scores, RunCurves::metricName(RunCurves::Metric::F1));
    if (r.isBest) {
        m_best->setText(tr("best acc %1 · F1 %2 (step %3)")
                            .arg(100.0 * r.accuracy, 0, 'f', 1)
                            .arg(100.0 * r.f1, 0, 'f', 1)
                            .arg(r.step));
        m_best->setToolTip(m_best->text());
    }
}

void TrainingMonitor::addRecords(const RunRecord& run) {
    for (const StepRecord& step : run.steps)
        addStep(step);
    for (const EvalRecord& eval : run.evals)
        addEval(eval);
}

QString TrainingMonitor::statusText() const {
    return m_status->fullText();
}

void TrainingMonitor::setStatusText(const QString& text) {
    m_status->setFullText(text);
}

QString TrainingMonitor::progressText() const {
    return QStringList{m_progress->text(), m_epoch->text(), m_speed->text(), m_eta->text(),
                       m_best->text()}
        .join(QStringLiteral(" | "));
}

void TrainingMonitor::setSmoothing(double weight) {
    m_smoothing->setValue(int(std::lround(weight * 100)));
}

void TrainingMonitor::setWallTimeAxis(bool wallTime) {
    const XAxisMode mode = wallTime ? XAxisMode::WallTime : XAxisMode::Steps;
    for (const NamedPlot& named : plots())
        static_cast<LiveCurvePlot*>(named.plot.data())->setXAxisMode(mode);
    const QSignalBlocker blocker(m_xAxis);
    m_xAxis->setCurrentIndex(wallTime ? 1 : 0);
}

void TrainingMonitor::setLogScaleY(bool logY) {
    m_trainLoss->setLogScaleY(logY);
    m_evalLoss->setLogScaleY(logY);
    m_learningRate->setLogScaleY(logY);
    const QSignalBlocker blocker(m_logY);
    m_logY->setChecked(logY);
}

} // namespace fsllm
