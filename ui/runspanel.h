// The Runs tab: a folder of run folders (plus watched run folders or folders of runs elsewhere),
// listed with checkboxes, their status (RunStatus: running, completed, stopped, failed) and tags
// (RunList), filterable by name, mask, status and tag; runs can be renamed, tagged, deleted
// (moved to the trash) unless a job is writing them (RunFolderActions), and evaluated on a data
// file (RunEvaluationBar), from the "Run" menu (RunsMenu). The checked runs' curves, results and
// hyper-parameters and the selected run's per-class scores are on the right (RunsOverview), one
// fixed colour per run that survives renames (RunColorBook); they grow live while the runs are
// written, by this studio or another process (RunLiveFeed reads only what metrics.jsonl gained).
// Run folders are read (RunFolderReader), and files evaluated, off the GUI thread.
// Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "metricstail.h"
#include "resultstable.h"
#include "runcolorbook.h"
#include "runcurves.h"
#include "runrecord.h"
#include "runstatus.h"

#include <QMap>
#include <QSet>
#include <QWidget>

class QLabel;
class QLineEdit;

namespace fsllm {

class ClassReportView;
class PathField;
class RunEvaluationBar;
class RunList;
class RunLiveFeed;
class RunsMenu;
class RunsOverview;
class RunsTableView;
struct RunReading;

class RunsPanel : public QWidget {
    Q_OBJECT

public:
    explicit RunsPanel(QWidget* parent = nullptr);

    void setRunsFolder(const QString& directory); // rescans
    QString runsFolder() const;
    // Lists a run folder outside the runs folder (kept across refreshes).
    void addRunFolder(const QString& runDir, bool checked = true);
    // Follows a run folder, or a folder of run folders, outside the runs folder: its runs are
    // listed (checked) and runs that appear in it later are added as they start.
    void watchFolder(const QString& directory);
    QStringList watchedFolders() const { return m_extraDirs; }
    void refresh(); // rescans the runs folder and rereads every listed run
    // The run this studio trains now (listed as running); "" when none. The run is (re)read.
    void setActiveRun(const QString& runDir);
    QString activeRun() const { return m_activeRun; }
    RunStatus status(const QString& runDir) const; // as last read
    RunsTableView* tableView() const;
    ClassReportView* classReport() const;
    RunLiveFeed* liveFeed() const { return m_feed; }

    int runCount() const;
    QStringList runDirs() const;
    QStringList checkedRunDirs() const;
    void setChecked(const QString& runDir, bool checked);
    void setAllChecked(bool checked);
    // Shows only the runs whose name, mask, status or tags contain every word of `text`; hidden
    // runs leave the plots and the table (their check marks are kept).
    void setFilter(const QString& text);
    QString filter() const;
    QStringList shownRunDirs() const;
    bool isLoading() const { return m_pendingLoads > 0; }
    // The selected run (its per-class scores are shown); "" when none.
    QString selectedRunDir() const;
    void selectRun(const QString& runDir);
    // Selects `runDir` once it is listed (now, or when a load brings it) and shows its
    // per-class scores: of `dataFile`'s evaluation when given and the run has one, else dev.
    void showRun(const QString& runDir, const QString& dataFile = QString());
    QStringList tags(const QString& runDir) const; // as last read or set
    QString devFile(const QString& runDir) const;  // run.json's "dev"; "" when not listed

    // Run management without dialogs (the menu's actions confirm first). False + `error` (one
    // line) when refused: a running run, a name that is taken or invalid, a failed move.
    bool deleteRun(const QString& runDir, bool permanently, QString* error);
    // Renaming also rewrites run.json's paths into the old folder (RunFolderActions::rename);
    // `warning` says when that failed (the rename stands).
    bool renameRun(const QString& runDir, const QString& newName, QString* error,
                   QString* warning = nullptr);
    bool setTags(const QString& runDir, const QString& commaSeparated, QString* error);
    // Evaluates `dataFile` with the run (as `fsllm eval --run RUN --data FILE`) off the GUI
    // thread; the evaluation bar shows progress and Cancel, and once kept the run is selected
    // and its "Per class" tab shows the file. False + `error` (one line) when refused: see
    // evaluationProblem(), or another evaluation still runs.
    bool evaluateFile(const QString& runDir, const QString& dataFile, QString* error);
    // Why the run cannot be evaluated now (running, failed, no best/ adapter); "" when it can.
    QString evaluationProblem(const QString& runDir) const;
    RunEvaluationBar* evaluationBar() const { return m_evaluationBar; }

    // The run's colour in every plot: fixed the first time the run is listed, kept on rename.
    QColor runColor(const QString& runDir) const;
    const ResultsTable& table() const;
    const CurvePlots& curvePlots() const;
    QList<NamedPlot> plots() const; // the three curve plots and the confusion matrix
    // By suffix (.csv, .md, .tex); false + `error` on failure.
    bool exportTable(const QString& path, QString* error) const;

signals:
    void inspectRunRequested(const QString& runDir);
    void runsChanged(); // the list or the checked set changed and the view is up to date

private:
    void loadRuns(const QStringList& runDirs, const QStringList& checkedDirs);
    void onLoaded(const QList<RunReading>& loaded, const QStringList& checkedDirs);
    void onGrew(const QString& runDir, const MetricsTail::Batch& batch);
    void onStatusChanged(const QString& runDir, const RunStatus& status);
    void onRunsAppeared(const QStringList& runDirs);
    void onEvaluated(const QString& runDir, const QString& dataFile);
    void rebuildOverlay();
    void rebuildTable();
    void applyFilter();
    void updateItem(const QString& runDir);
    void forgetRun(const QString& runDir);
    void updateWatchedFolders();
    void showSelectedRun();
    void chooseFolderToWatch();
    // "" when `runDir` may be renamed or deleted now, else why not ("Cannot <verb>: …").
    QString busyProblem(const QString& runDir, const QString& verb) const;
    void showStatus(const QString& text, bool error);

    PathField* m_folder = nullptr;
    QLineEdit* m_filter = nullptr;
    RunList* m_list = nullptr;
    RunsMenu* m_menu = nullptr;
    QLabel* m_status = nullptr;
    RunsOverview* m_overview = nullptr;
    RunEvaluationBar* m_evaluationBar = nullptr;
    RunLiveFeed* m_feed = nullptr;
    QMap<QString, RunRecord> m_records;   // by absolute run folder
    QMap<QString, RunStatus> m_statuses;  // by absolute run folder
    QMap<QString, QStringList> m_tags;    // by absolute run folder
    QSet<QString> m_tried;                // folders loadRuns was asked for (failed ones too)
    QString m_activeRun;
    QString m_runToShow; // showRun() before the run was listed
    QString m_dataRun;    // showRun()'s run and data file: that evaluation is shown the next
    QString m_dataToShow; // time the run is (instead of dev)
    QStringList m_extraDirs;       // watched, outside the runs folder
    mutable RunColorBook m_colors; // first come first
    int m_pendingLoads = 0;
};

} // namespace fsllm
