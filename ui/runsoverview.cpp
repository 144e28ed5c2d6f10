#include "runsoverview.h"

#include "classreportview.h"
#include "confusionmatrixplot.h"
#include "livecurveplot.h"
#include "runstableview.h"

#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace fsllm {

RunsOverview::RunsOverview(QWidget* parent) : QWidget(parent) {
    m_plots = {new LiveCurvePlot, new LiveCurvePlot, new LiveCurvePlot, nullptr};
    RunCurves::setUpPlots(m_plots);
    m_plots.scores->setTitle(tr("Accuracy (solid) / F1 (dashed)"));
    m_plots.evalLoss->setSmoothing(0.0);
    m_plots.scores->setSmoothing(0.0);
    auto* plotRow = new QHBoxLayout;
    for (LiveCurvePlot* plot : {m_plots.trainLoss, m_plots.evalLoss, m_plots.scores})
        plot->setMinimumSize(170, 140);
    for (const NamedPlot& named : plots()) { // the curve plots (no confusion matrix yet)
        if (!named.plot)
            continue;
        ExportDialog::installContextMenu(named.plot, named.name);
        plotRow->addWidget(named.plot, 1);
    }
    m_tableView = new RunsTableView;
    auto* exportTable = new QPushButton(tr("Export table…"));
    auto* tableRow = new QHBoxLayout;
    auto* caption = new QLabel(tr("Best dev checkpoint of each checked run; scores in %; "
                                  "mean ± std over the seeds of each configuration, Δ, 95% CI "
                                  "and p against the causal run of the same settings; click a "
                                  "header to sort"));
    caption->setWordWrap(true);
    caption->setToolTip(tr("Paired bootstrap over the dev examples (sentences for token tasks; "
                           "entity F1 recomputed from chunk counts), 1000 resamples with a fixed "
                           "seed: the 95% interval of the difference of the configuration's "
                           "mean dev score and the causal configuration's, and its two-sided "
                           "p-value. The CSV export adds McNemar's exact p (sequence tasks)."));
    tableRow->addWidget(caption, 1);
    tableRow->addWidget(exportTable);
    auto* tableBox = new QWidget;
    auto* tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addLayout(tableRow);
    tableLayout->addWidget(m_tableView, 1);
    m_classReport = new ClassReportView;
    m_lowerTabs = new QTabWidget;
    m_lowerTabs->addTab(tableBox, tr("Results"));
    m_lowerTabs->addTab(m_classReport, tr("Per class"));
    m_lowerTabs->setToolTip(QString());
    auto* split = new QSplitter(Qt::Vertical);
    auto* plotBox = new QWidget;
    plotBox->setLayout(plotRow);
    split->addWidget(plotBox);
    split->addWidget(m_lowerTabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(exportTable, &QPushButton::clicked, this, &RunsOverview::chooseTableExport);
}

QList<NamedPlot> RunsOverview::plots() const {
    return {{tr("Runs train loss"), m_plots.trainLoss},
            {tr("Runs eval loss"), m_plots.evalLoss},
            {tr("Runs accuracy F1"), m_plots.scores},
            {tr("Confusion matrix"), m_classReport ? m_classReport->matrixPlot() : nullptr}};
}

void RunsOverview::clearCurves() {
    RunCurves::clear(m_plots);
}

void RunsOverview::addCurves(const RunRecord& run, const QString& name, const QColor& color) {
    RunCurves::addRun(m_plots, run, name, color);
}

void RunsOverview::refreshCurves() {
    // The list's swatches name the colours on screen; exported figures carry a legend
    // (PlotExporter).
    for (LiveCurvePlot* plot : {m_plots.trainLoss, m_plots.evalLoss, m_plots.scores}) {
        plot->legend->setVisible(false);
        plot->refreshNow();
    }
}

void RunsOverview::clearTable() {
    m_table.clear();
    m_tableView->clearRuns();
}

void RunsOverview::addTableRow(const RunRecord& run, const RunStatus& status) {
    m_table.addRun(run);
    m_tableView->addRun(run, status);
    if (m_significancePending)
        return;
    m_significancePending = true;
    QTimer::singleShot(0, this, [this] {
        m_significancePending = false;
        refreshSignificance();
    });
}

void RunsOverview::refreshSignificance() {
    m_table.computeSignificance(); // reuses the tests while runs and predictions are unchanged
    m_tableView->setSignificance(m_table);
}

void RunsOverview::showPerClass() {
    m_lowerTabs->setCurrentWidget(m_classReport);
}

bool RunsOverview::exportTable(const QString& path, QString* error) const {
    m_table.computeSignificance();
    return m_table.save(path, error);
}

void RunsOverview::chooseTableExport() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export results table"), QDir(m_exportFolder).filePath("results.csv"),
        tr("CSV (*.csv);;Markdown (*.md);;LaTeX (*.tex)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTable(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace fsllm
