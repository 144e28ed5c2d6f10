#include "runsmenu.h"

#include "runevaluationbar.h"
#include "runfolderactions.h"
#include "runlist.h"
#include "runspanel.h"

#include <QAction>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QToolButton>

namespace fsllm {

RunsMenu::RunsMenu(RunsPanel* panel, RunList* list)
    : QObject(panel), m_panel(panel), m_list(list), m_button(new QToolButton) {
    m_button->setText(tr("Run"));
    m_button->setPopupMode(QToolButton::InstantPopup);
    auto* menu = new QMenu(m_button);
    menu->setToolTipsVisible(true);
    QAction* rename = menu->addAction(tr("Rename…"), this, &RunsMenu::askRename);
    rename->setShortcut(Qt::Key_F2);
    menu->addAction(tr("Tags…"), this, &RunsMenu::askTags);
    QAction* remove = menu->addAction(tr("Delete…"), this, &RunsMenu::confirmDelete);
    remove->setShortcut(QKeySequence::Delete);
    menu->addSeparator();
    m_evaluate = menu->addAction(tr("Evaluate file…"), this, &RunsMenu::chooseFileToEvaluate);
    m_evaluate->setEnabled(false);
    menu->addAction(tr("Inspect with run"), this, &RunsMenu::requestInspect);
    m_button->setMenu(menu);
    m_button->setToolTip(tr("Rename (F2), tag, delete (Del) the selected run, evaluate a data "
                            "file with it, or use its adapter on the Inspect tab"));
    for (QAction* action : {rename, remove}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_list->addAction(action);
    }
}

void RunsMenu::requestInspect() {
    if (!m_list->selectedRunDir().isEmpty())
        emit inspectRequested(m_list->selectedRunDir());
}

void RunsMenu::updateActions() {
    const QString dir = m_list->selectedRunDir();
    QString problem = dir.isEmpty() ? tr("Select a run first") : m_panel->evaluationProblem(dir);
    if (problem.isEmpty() && m_panel->evaluationBar()->isRunning())
        problem = tr("Another file is being evaluated");
    m_evaluate->setEnabled(problem.isEmpty());
    m_evaluate->setToolTip(
        problem.isEmpty() ? tr("Score a labelled data file with this run's best checkpoint, as "
                               "fsllm eval does; its per-class scores appear below")
                          : problem);
}

void RunsMenu::showContextMenu(const QPoint& at) {
    QListWidgetItem* item = m_list->itemAt(at);
    if (!item)
        return;
    m_list->setCurrentItem(item);
    QMenu menu(m_panel);
    menu.setToolTipsVisible(true);
    menu.addAction(tr("Rename…"), this, &RunsMenu::askRename);
    menu.addAction(tr("Tags…"), this, &RunsMenu::askTags);
    menu.addAction(tr("Delete…"), this, &RunsMenu::confirmDelete);
    menu.addSeparator();
    QAction* evaluate = menu.addAction(tr("Evaluate file…"), this, &RunsMenu::chooseFileToEvaluate);
    evaluate->setEnabled(m_evaluate->isEnabled());
    evaluate->setToolTip(m_evaluate->toolTip());
    menu.addAction(tr("Inspect with run"), this, &RunsMenu::requestInspect);
    menu.exec(m_list->viewport()->mapToGlobal(at));
}

void RunsMenu::confirmDelete() {
    const QString dir = m_list->selectedRunDir();
    if (dir.isEmpty())
        return;
    const QString name = QFileInfo(dir).fileName();
    if (const QString running = RunFolderActions::runningProblem(dir);
        !running.isEmpty() || dir == m_panel->activeRun()) {
        QMessageBox::warning(m_panel, tr("Delete run"),
                             tr("Cannot delete: %1.")
                                 .arg(running.isEmpty() ? tr("%1 is training in this studio; "
                                                             "stop it first")
                                                              .arg(name)
                                                        : running));
        return;
    }
    const auto answer = QMessageBox::question(
        m_panel, tr("Delete run"), tr("Move the run folder %1 to the trash?\n%2").arg(name, dir),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    QString error;
    if (m_panel->deleteRun(dir, false, &error))
        return;
    if (!error.contains(tr("trash"))) {
        QMessageBox::warning(m_panel, tr("Delete run"), error);
        return;
    }
    const auto permanently = QMessageBox::question(
        m_panel, tr("Delete run"), tr("%1\nDelete %2 permanently instead?").arg(error, name),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (permanently == QMessageBox::Yes && !m_panel->deleteRun(dir, true, &error))
        QMessageBox::warning(m_panel, tr("Delete run"), error);
}

void RunsMenu::askRename() {
    const QString dir = m_list->selectedRunDir();
    if (dir.isEmpty())
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(m_panel, tr("Rename run"), tr("New folder name:"),
                                               QLineEdit::Normal, QFileInfo(dir).fileName(), &ok);
    if (!ok || name == QFileInfo(dir).fileName())
        return;
    QString error, warning;
    if (!m_panel->renameRun(dir, name, &error, &warning))
        QMessageBox::warning(m_panel, tr("Rename run"), error);
    else if (!warning.isEmpty()) // renamed, but run.json still names the old folder
        QMessageBox::warning(m_panel, tr("Rename run"), warning);
}

void RunsMenu::askTags() {
    const QString dir = m_list->selectedRunDir();
    if (dir.isEmpty())
        return;
    bool ok = false;
    const QString text = QInputDialog::getText(
        m_panel, tr("Tags"),
        tr("Tags of %1 (comma-separated; kept in its tags.json):").arg(QFileInfo(dir).fileName()),
        QLineEdit::Normal, m_panel->tags(dir).join(QStringLiteral(", ")), &ok);
    QString error;
    if (ok && !m_panel->setTags(dir, text, &error))
        QMessageBox::warning(m_panel, tr("Tags"), error);
}

void RunsMenu::chooseFileToEvaluate() {
    const QString dir = m_list->selectedRunDir();
    if (dir.isEmpty())
        return;
    const QString dev = m_panel->devFile(dir);
    const QString file = QFileDialog::getOpenFileName(
        m_panel, tr("Evaluate a data file with %1").arg(QFileInfo(dir).fileName()),
        dev.isEmpty() ? QString() : QFileInfo(dev).absolutePath(),
        tr("Data files (*.tsv *.txt *.csv *.jsonl *.conll *.conllu);;All files (*)"));
    QString error;
    if (!file.isEmpty() && !m_panel->evaluateFile(dir, file, &error))
        QMessageBox::warning(m_panel, tr("Evaluate file"), error);
}

} // namespace fsllm
