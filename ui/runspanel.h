// The Runs tab: a folder of run folders (plus run folders added one by one), listed with
// checkboxes; the checked runs' train loss, eval loss and accuracy/F1 overlaid in LiveCurvePlots
// (series "run/metric"), and their results table, exportable as CSV, Markdown and LaTeX. Run
// folders are read off the GUI thread. Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "resultstable.h"
#include "runcurves.h"
#include "runrecord.h"

#include <QMap>
#include <QWidget>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QTableWidget;

namespace fsllm {

class PathField;

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(QWidget* parent = nullptr);

    void setRunsFolder(const QString& directory); // rescans
    QString runsFolder() const;
    void addRunFolder(const QString& runDir, bool checked = true);
    void refresh(); // rescans the runs folder and rereads every listed run

    int runCount() const;
    QStringList runDirs() const;
    QStringList checkedRunDirs() const;
    void setChecked(const QString& runDir, bool checked);
    void setAllChecked(bool checked);
    bool isLoading() const { return m_pendingLoads > 0; }

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
    void chooseRunFolderToAdd();
    void chooseTableExport();
    QListWidgetItem* itemFor(const QString& runDir) const;

    PathField* m_folder;
    QListWidget* m_list;
    QLabel* m_status;
    QTableWidget* m_tableView;
    CurvePlots m_plots;
    ResultsTable m_table;
    QMap<QString, RunRecord> m_records; // by absolute run folder
    QStringList m_extraDirs;            // added one by one, outside the runs folder
    int m_pendingLoads = 0;
};

} // namespace fsllm
