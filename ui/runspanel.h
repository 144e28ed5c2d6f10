// The Runs tab: a folder of run folders (plus run folders added one by one), listed with
// checkboxes and their status (RunStatus: running, completed, stopped, failed), filterable; the
// checked runs' train loss, eval loss and accuracy/F1 overlaid in LiveCurvePlots (series
// "run/metric", one fixed colour per run), their results and hyper-parameters in a sortable
// RunsTableView; the results table exports as CSV, Markdown and LaTeX. Run folders are read off
// the GUI thread. Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "resultstable.h"
#include "runcurves.h"
#include "runrecord.h"
#include "runstatus.h"

#include <QMap>
#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;

namespace fsllm {

class PathField;
class RunsTableView;

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(QWidget* parent = nullptr);

    void setRunsFolder(const QString& directory); // rescans
    QString runsFolder() const;
    void addRunFolder(const QString& runDir, bool checked = true);
    void refresh(); // rescans the runs folder and rereads every listed run
    // The run this studio trains now (listed as running); "" when none. The run is (re)read.
    void setActiveRun(const QString& runDir);
    RunStatus status(const QString& runDir) const; // as last read
    RunsTableView* tableView() const { return m_tableView; }

    int runCount() const;
    QStringList runDirs() const;
    QStringList checkedRunDirs() const;
    void setChecked(const QString& runDir, bool checked);
    void setAllChecked(bool checked);
    // Shows only the runs whose name, mask or status contain every word of `text`; hidden runs
    // leave the plots and the table (their check marks are kept).
    void setFilter(const QString& text);
    QString filter() const;
    QStringList shownRunDirs() const;
    bool isLoading() const { return m_pendingLoads > 0; }

    // The run's colour in every plot: fixed the first time the run is listed.
    QColor runColor(const QString& runDir) const;
    const ResultsTable& table() const { return m_table; }
    const CurvePlots& curvePlots() const { return m_plots; }
    QList<NamedPlot> plots() const;
    // By suffix (.csv, .md, .tex); false + `error` on failure.
    bool exportTable(const QString& path, QString* error) const;

signals:
    void inspectRunRequested(const QString& runDir);
    void runsChanged(); // the list or the checked set changed and the view is up to date

private:
    struct Loaded;
    void loadRuns(const QStringList& runDirs, const QStringList& checkedDirs);
    void onLoaded(const QList<Loaded>& loaded, const QStringList& checkedDirs);
    void rebuildOverlay();
    void applyFilter();
    void chooseRunFolderToAdd();
    void chooseTableExport();
    QListWidgetItem* itemFor(const QString& runDir) const;

    PathField* m_folder;
    QLineEdit* m_filter;
    QListWidget* m_list;
    QLabel* m_status;
    RunsTableView* m_tableView;
    CurvePlots m_plots;
    ResultsTable m_table;
    QMap<QString, RunRecord> m_records;  // by absolute run folder
    QMap<QString, RunStatus> m_statuses; // by absolute run folder
    QString m_activeRun;
    QStringList m_extraDirs;                 // added one by one, outside the runs folder
    mutable QMap<QString, int> m_colorIndex; // palette index by run folder, first come first
    int m_pendingLoads = 0;
};

} // namespace fsllm
