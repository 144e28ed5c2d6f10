// The Runs tab's "Run" menu (a tool button under the list) and the list's context menu: rename
// (F2), tags, delete (Del, to the trash, confirmed), evaluate a data file with the run, and use
// its adapter on the Inspect tab, each asking its questions in dialogs and then calling the
// panel's dialog-free methods (RunsPanel::renameRun, setTags, deleteRun, evaluateFile); refusals
// come back in a message box. Rename and Delete are also shortcuts of the list.
// Thread-safety: GUI thread only.
#pragma once

#include <QObject>
#include <QPoint>

class QAction;
class QToolButton;

namespace fsllm {

class RunList;
class RunsPanel;

class RunsMenu : public QObject {
    Q_OBJECT

public:
    RunsMenu(RunsPanel* panel, RunList* list);

    QToolButton* button() const { return m_button; } // for the panel's layout
    // Enables "Evaluate file…" for the selected run when RunsPanel::evaluationProblem() allows
    // it and no evaluation runs; its tooltip says why not.
    void updateActions();
    void showContextMenu(const QPoint& at); // at: in the list's viewport

signals:
    void inspectRequested(const QString& runDir);

private:
    void askRename();
    void askTags();
    void confirmDelete();
    void chooseFileToEvaluate();
    void requestInspect();

    RunsPanel* m_panel;
    RunList* m_list;
    QToolButton* m_button;
    QAction* m_evaluate;
};

} // namespace fsllm
