// The right side of the Runs tab: the checked runs' train loss, eval loss and accuracy/F1
// overlaid in three LiveCurvePlots (series "run/metric", in each run's colour), and below them
// the "Results" tab (a sortable RunsTableView of scores and hyper-parameters, exported as CSV,
// Markdown and LaTeX; ResultsTable keeps the same rows for the export; the significance columns,
// mean ± std over seeds and the paired test against the causal runs, are computed once the rows
// of an update are in, on the next event-loop turn, and before an export) and the "Per class" tab
// (ClassReportView of the selected run). RunsPanel decides which runs are shown and feeds them in.
// Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "resultstable.h"
#include "runcurves.h"
#include "runrecord.h"
#include "runstatus.h"

#include <QWidget>

class QTabWidget;

namespace fsllm {

class ClassReportView;
class RunsTableView;

class RunsOverview : public QWidget {
    Q_OBJECT

public:
    explicit RunsOverview(QWidget* parent = nullptr);

    // Curves: clearCurves(), addCurves() for each shown run, then refreshCurves(). addCurves()
    // alone appends a live run's new points (the records in `run` only).
    void clearCurves();
    void addCurves(const RunRecord& run, const QString& name, const QColor& color);
    void refreshCurves();
    // Table: clearTable(), then addTableRow() for each shown run. The significance columns
    // follow on the next event-loop turn (refreshSignificance(), once for all rows added).
    void clearTable();
    void addTableRow(const RunRecord& run, const RunStatus& status);
    void refreshSignificance();

    void showPerClass(); // brings the "Per class" tab forward
    void setTableExportFolder(const QString& folder) { m_exportFolder = folder; }
    // By suffix (.csv, .md, .tex); false + `error` on failure.
    bool exportTable(const QString& path, QString* error) const;

    RunsTableView* tableView() const { return m_tableView; }
    ClassReportView* classReport() const { return m_classReport; }
    const ResultsTable& table() const { return m_table; }
    const CurvePlots& curvePlots() const { return m_plots; }
    QList<NamedPlot> plots() const; // the three curve plots and the confusion matrix

private:
    void chooseTableExport();

    CurvePlots m_plots;
    mutable ResultsTable m_table; // exportTable() completes its significance first
    RunsTableView* m_tableView = nullptr;
    ClassReportView* m_classReport = nullptr;
    QTabWidget* m_lowerTabs = nullptr;
    QString m_exportFolder;
    bool m_significancePending = false;
};

} // namespace fsllm
