// The studio's main window. It only wires the parts together: the Train, Inspect and Runs tabs,
// the log dock (spdlog -> QtLogSink -> LogPanel), the File and Export menus with recent models,
// and the status bar (model, training state, the GUI's longest event-loop stall). Geometry and
// recent files persist in QSettings (organisation "FS-LLM Studio").
// Thread-safety: GUI thread only. Closing the window stops a running job and joins the worker
// threads before the window goes.
#pragma once

#include "engine.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QTabWidget;

namespace fsllm {

class ElidedLabel;
class ModelLoadIndicator;
class InspectPanel;
class LogPanel;
class QtLogSink;
class RecentFiles;
class RunsPanel;
class TrainPanel;
struct NamedPlot;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    enum class Tab { Train, Inspect, Runs };
    static constexpr int kLogDockHeight = 110;

    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    TrainPanel* trainPanel() const { return m_train; }
    InspectPanel* inspectPanel() const { return m_inspect; }
    RunsPanel* runsPanel() const { return m_runs; }
    ModelLoadIndicator* loadIndicator() const { return m_loadIndicator; }
    LogPanel* logPanel() const { return m_log; }
    QTabWidget* tabs() const { return m_tabs; }
    void setCurrentTab(Tab tab);

    // Selects `dir` as the model of every tab (summary, training, inspection).
    void openModel(const QString& dir);
    // Generates or finds the default model off the GUI thread, then opens it.
    void openDefaultModel();
    void setDataFiles(const QString& trainFile, const QString& devFile);
    // Uses a run's classifier on the Inspect tab (now, or once the model has been chosen).
    void setInspectAdapter(const QString& runOrAdapterDir);
    QString modelDir() const { return m_modelDir; }

    double maxStallMs() const; // of the current or last training run
    QList<NamedPlot> currentPlots() const;
    QAction* exportPlotsAction() const { return m_exportAction; } // Ctrl+E
    QString modelStatusText() const; // the status bar's model line, unelided

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void buildStatusBar();
    void wireParts();
    void onModelChosen(const QString& dir);
    void onModelOpened(const QString& dir, const fsllm::ModelSummary& summary);
    void onTrainingFinished(const QString& runDir, bool completed);
    void inspectRun(const QString& runDir);
    void chooseModel();
    void exportPlots();
    void writeReport();
    void shutdownWorkers();

    TrainPanel* m_train;
    InspectPanel* m_inspect;
    RunsPanel* m_runs;
    QTabWidget* m_tabs;
    LogPanel* m_log;
    QDockWidget* m_logDock;
    ElidedLabel* m_modelLabel;
    QLabel* m_stallLabel;
    ModelLoadIndicator* m_loadIndicator; // progress and Cancel while a model opens
    RecentFiles* m_recent = nullptr;
    QAction* m_exportAction = nullptr;
    std::shared_ptr<QtLogSink> m_sink;
    QString m_modelDir;
    QString m_pendingAdapter; // for the next model chosen
    bool m_shutDown = false;
};

} // namespace fsllm
