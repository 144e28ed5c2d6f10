#include "runspanel.h"

#include "atomicdirectory.h"
#include "backgroundcall.h"
#include "classreportview.h"
#include "pathfield.h"
#include "reportwriter.h"
#include "resourcelocator.h"
#include "runevaluationbar.h"
#include "runfolderactions.h"
#include "runfolderreader.h"
#include "runlist.h"
#include "runlivefeed.h"
#include "runsmenu.h"
#include "runsoverview.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <utility>

namespace fsllm {

RunsPanel::RunsPanel(QWidget* parent) : QWidget(parent) {
    m_folder = new PathField(PathField::Kind::Folder, tr("Folder of run folders"));
    m_folder->setPath(
        QSettings().value(QStringLiteral("runs/folder"), ResourceLocator::runsRoot()).toString());
    auto* watch = new QPushButton(tr("Watch run folder…"));
    watch->setToolTip(tr("Follow a run folder (or a folder of runs) outside the runs folder; its "
                         "curves grow while it trains, here or in another process"));
    auto* reload = new QPushButton(tr("Refresh"));
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Runs folder")));
    top->addWidget(m_folder, 1);
    top->addWidget(watch);
    top->addWidget(reload);

    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter runs (name, mask, status, tag)"));
    m_filter->setClearButtonEnabled(true);
    m_list = new RunList;
    m_evaluationBar = new RunEvaluationBar;
    m_menu = new RunsMenu(this, m_list);
    auto* all = new QPushButton(tr("All"));
    auto* none = new QPushButton(tr("None"));
    auto* inspect = new QPushButton(tr("Inspect with run"));
    inspect->setToolTip(tr("Use the selected run's adapter on the Inspect tab"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(all);
    listButtons->addWidget(none);
    listButtons->addStretch(1);
    listButtons->addWidget(m_menu->button());
    listButtons->addWidget(inspect);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_filter);
    leftLayout->addWidget(m_list, 1);
    leftLayout->addLayout(listButtons);
    leftLayout->addWidget(m_status);

    m_overview = new RunsOverview;
    m_overview->setTableExportFolder(m_folder->path());
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(m_overview);
    split->setStretchFactor(1, 1);
    split->setSizes({260, 1000});
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    layout->addWidget(m_evaluationBar);

    m_feed = new RunLiveFeed(this);
    connect(m_feed, &RunLiveFeed::grew, this, &RunsPanel::onGrew);
    connect(m_feed, &RunLiveFeed::statusChanged, this, &RunsPanel::onStatusChanged);
    connect(m_feed, &RunLiveFeed::runsAppeared, this, &RunsPanel::onRunsAppeared);

    connect(m_folder, &PathField::pathChanged, this, &RunsPanel::setRunsFolder);
    connect(watch, &QPushButton::clicked, this, &RunsPanel::chooseFolderToWatch);
    connect(reload, &QPushButton::clicked, this, &RunsPanel::refresh);
    connect(all, &QPushButton::clicked, this, [this] { setAllChecked(true); });
    connect(none, &QPushButton::clicked, this, [this] { setAllChecked(false); });
    connect(inspect, &QPushButton::clicked, this, [this] {
        if (!selectedRunDir().isEmpty())
            emit inspectRunRequested(selectedRunDir());
    });
    connect(m_menu, &RunsMenu::inspectRequested, this, &RunsPanel::inspectRunRequested);
    connect(m_list, &QListWidget::itemChanged, this, &RunsPanel::rebuildOverlay);
    connect(m_list, &QListWidget::currentItemChanged, this, &RunsPanel::showSelectedRun);
    connect(m_list, &QWidget::customContextMenuRequested, m_menu, &RunsMenu::showContextMenu);
    connect(m_filter, &QLineEdit::textChanged, this, &RunsPanel::setFilter);
    connect(m_evaluationBar, &RunEvaluationBar::evaluated, this, &RunsPanel::onEvaluated);
    connect(m_evaluationBar, &RunEvaluationBar::finished, m_menu, &RunsMenu::updateActions);
    updateWatchedFolders();
}

RunsTableView* RunsPanel::tableView() const {
    return m_overview->tableView();
}

ClassReportView* RunsPanel::classReport() const {
    return m_overview->classReport();
}

const ResultsTable& RunsPanel::table() const {
    return m_overview->table();
}

const CurvePlots& RunsPanel::curvePlots() const {
    return m_overview->curvePlots();
}

QList<NamedPlot> RunsPanel::plots() const {
    return m_overview->plots();
}

bool RunsPanel::exportTable(const QString& path, QString* error) const {
    return m_overview->exportTable(path, error);
}

QColor RunsPanel::runColor(const QString& runDir) const {
    return m_colors.color(runDir);
}

void RunsPanel::setActiveRun(const QString& runDir) {
    const QString previous = m_activeRun;
    m_activeRun = runDir.isEmpty() ? QString() : QDir(runDir).absolutePath();
    if (!m_activeRun.isEmpty())
        addRunFolder(m_activeRun);
    else if (!previous.isEmpty())
        addRunFolder(previous); // rereads it: completed, stopped or failed now
}

RunStatus RunsPanel::status(const QString& runDir) const {
    return m_statuses.value(QDir(runDir).absolutePath());
}

QStringList RunsPanel::tags(const QString& runDir) const {
    return m_tags.value(QDir(runDir).absolutePath());
}

QString RunsPanel::devFile(const QString& runDir) const {
    const auto it = m_records.constFind(QDir(runDir).absolutePath());
    return it == m_records.constEnd() ? QString() : QString::fromStdString(it->config.devFile);
}

void RunsPanel::setFilter(const QString& text) {
    if (m_filter->text() != text)
        m_filter->setText(text); // comes back here through textChanged
    applyFilter();
    rebuildOverlay();
}

QString RunsPanel::filter() const {
    return m_filter->text();
}

void RunsPanel::applyFilter() {
    // Every word must occur in the run's name, status, mask or tags (case-insensitive).
    m_list->applyFilter(m_filter->text(), [this](const QString& dir) {
        QString text = m_tags.value(dir).join(' ');
        if (const auto it = m_records.constFind(dir); it != m_records.constEnd())
            text += QLatin1Char(' ') + QString::fromStdString(it->config.mask.describe());
        return text;
    });
}

QStringList RunsPanel::shownRunDirs() const {
    return m_list->shownRunDirs();
}

QString RunsPanel::runsFolder() const {
    return m_folder->path();
}

int RunsPanel::runCount() const {
    return m_list->count();
}

QStringList RunsPanel::runDirs() const {
    return m_list->runDirs();
}

QStringList RunsPanel::checkedRunDirs() const {
    return m_list->checkedRunDirs();
}

QString RunsPanel::selectedRunDir() const {
    return m_list->selectedRunDir();
}

void RunsPanel::selectRun(const QString& runDir) {
    m_list->selectRun(runDir);
}

void RunsPanel::showRun(const QString& runDir, const QString& dataFile) {
    m_runToShow = QDir(runDir).absolutePath();
    if (!dataFile.isEmpty()) {
        m_dataRun = m_runToShow;
        m_dataToShow = dataFile;
    }
    m_overview->showPerClass();
    if (m_list->itemFor(m_runToShow)) {
        selectRun(m_runToShow);
        m_runToShow.clear();
    }
}

void RunsPanel::setChecked(const QString& runDir, bool checked) {
    m_list->setChecked(runDir, checked);
}

void RunsPanel::setAllChecked(bool checked) {
    m_list->setAllChecked(checked);
    rebuildOverlay();
}

void RunsPanel::setRunsFolder(const QString& directory) {
    m_folder->setPath(directory);
    m_overview->setTableExportFolder(directory);
    QSettings().setValue(QStringLiteral("runs/folder"), directory);
    updateWatchedFolders();
    refresh();
}

void RunsPanel::updateWatchedFolders() {
    QStringList folders = m_extraDirs;
    if (!m_folder->path().isEmpty())
        folders.prepend(m_folder->path());
    m_feed->setWatchedFolders(folders);
}

void RunsPanel::addRunFolder(const QString& runDir, bool checked) {
    const QString clean = QDir(runDir).absolutePath();
    if (!m_extraDirs.contains(clean))
        m_extraDirs << clean;
    updateWatchedFolders();
    QStringList checkedDirs = checkedRunDirs();
    if (checked)
        checkedDirs << clean;
    loadRuns({clean}, checkedDirs);
}

void RunsPanel::watchFolder(const QString& directory) {
    const QString clean = QDir(directory).absolutePath();
    if (!m_extraDirs.contains(clean))
        m_extraDirs << clean;
    updateWatchedFolders();
    const QStringList runs = ReportWriter::expandRunFolders(clean);
    if (runs.isEmpty()) {
        showStatus(tr("Watching %1: its runs are listed as they start").arg(clean), false);
        return;
    }
    loadRuns(runs, checkedRunDirs() + runs);
}

void RunsPanel::refresh() {
    QStringList dirs = m_folder->path().isEmpty()
                           ? QStringList()
                           : ReportWriter::expandRunFolders(m_folder->path());
    for (const QString& extra : m_extraDirs)
        for (const QString& run : ReportWriter::expandRunFolders(extra))
            if (!dirs.contains(run))
                dirs << run;
    QStringList checkedDirs = checkedRunDirs();
    if (m_list->count() == 0)
        checkedDirs = dirs; // first scan: show every run
    loadRuns(dirs, checkedDirs);
}

void RunsPanel::loadRuns(const QStringList& runDirs, const QStringList& checkedDirs) {
    ++m_pendingLoads;
    for (const QString& dir : runDirs)
        m_tried.insert(QDir(dir).absolutePath());
    m_status->setText(tr("Reading %n run folder(s)…", nullptr, int(runDirs.size())));
    BackgroundCall::run(
        this,
        [runDirs, active = m_activeRun]() { return RunFolderReader::read(runDirs, active); },
        [this, checkedDirs](const QList<RunReading>& loaded) { onLoaded(loaded, checkedDirs); });
}

void RunsPanel::updateItem(const QString& runDir) {
    if (QListWidgetItem* item = m_list->itemFor(runDir)) {
        const QSignalBlocker blocker(m_list);
        RunList::describe(item, m_statuses.value(runDir), m_tags.value(runDir));
    }
}

void RunsPanel::showStatus(const QString& text, bool error) {
    m_status->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
    m_status->setText(text);
}

void RunsPanel::onLoaded(const QList<RunReading>& loaded, const QStringList& checkedDirs) {
    --m_pendingLoads;
    QStringList errors;
    {
        const QSignalBlocker blocker(m_list);
        for (const RunReading& item : loaded) {
            if (!item.error.isEmpty()) {
                errors << item.error;
                continue;
            }
            if (!item.warning.isEmpty())
                errors << item.warning;
            m_records.insert(item.directory, item.record);
            m_statuses.insert(item.directory,
                              item.directory == m_activeRun ? RunStatus::read(item.directory, true)
                                                            : item.status);
            m_tags.insert(item.directory, item.tags);
            m_feed->follow(item.directory, item.tail,
                           item.status.state == RunState::Running);
            QListWidgetItem* entry = m_list->itemFor(item.directory);
            if (!entry)
                entry = m_list->addRun(item.directory);
            RunList::describe(entry, m_statuses.value(item.directory), item.tags);
            entry->setCheckState(checkedDirs.contains(item.directory) ? Qt::Checked
                                                                      : Qt::Unchecked);
        }
        m_list->sortItems();
        for (const QString& dir : m_list->runDirs())
            runColor(dir); // fixes new runs' colours
    }
    applyFilter();
    showStatus(errors.isEmpty() ? tr("%n run(s)", nullptr, m_list->count())
                                : errors.join(QLatin1Char('\n')),
               !errors.isEmpty());
    rebuildOverlay();
    if (!m_runToShow.isEmpty() && m_list->itemFor(m_runToShow))
        showRun(m_runToShow);
    // A reread selected run may have new predictions.
    for (const RunReading& item : loaded)
        if (item.directory == selectedRunDir())
            showSelectedRun();
    m_menu->updateActions();
}

void RunsPanel::onGrew(const QString& runDir, const MetricsTail::Batch& batch) {
    const auto it = m_records.find(runDir);
    if (it == m_records.end())
        return;
    if (batch.restarted) { // a resume rewrote metrics.jsonl: the batch holds all of it
        it->steps = batch.steps;
        it->evals = batch.evals;
        rebuildOverlay();
        return;
    }
    it->steps.insert(it->steps.end(), batch.steps.begin(), batch.steps.end());
    it->evals.insert(it->evals.end(), batch.evals.begin(), batch.evals.end());
    if (!m_list->isShownAndChecked(runDir))
        return;
    // Only the new points go to the plots; the table changes with evaluations only.
    RunRecord added;
    added.steps = batch.steps;
    added.evals = batch.evals;
    m_overview->addCurves(added, QString::fromStdString(it->name()), runColor(runDir));
    if (!batch.evals.empty()) {
        rebuildTable();
        if (runDir == selectedRunDir())
            showSelectedRun(); // a new best checkpoint brings new dev predictions
    }
    emit runsChanged();
}

void RunsPanel::onStatusChanged(const QString& runDir, const RunStatus& status) {
    if (runDir == m_activeRun || !m_records.contains(runDir))
        return; // this studio's own run stays running until its worker says otherwise
    m_statuses.insert(runDir, status);
    updateItem(runDir);
    applyFilter();
    rebuildTable();
    m_menu->updateActions();
    emit runsChanged();
}

void RunsPanel::onRunsAppeared(const QStringList& runDirs) {
    QStringList fresh;
    for (const QString& dir : runDirs)
        if (!m_tried.contains(dir))
            fresh << dir;
    if (!fresh.isEmpty()) // a sweep's next run: shown as it starts
        loadRuns(fresh, checkedRunDirs() + fresh);
}

void RunsPanel::rebuildOverlay() {
    m_overview->clearCurves();
    // One colour per run for as long as the studio runs (RunColorBook); the list's swatches
    // name the colours on screen.
    {
        const QSignalBlocker blocker(m_list);
        for (int i = 0; i < m_list->count(); ++i) {
            QListWidgetItem* item = m_list->item(i);
            const auto it = m_records.constFind(RunList::runDir(item));
            if (item->checkState() != Qt::Checked || item->isHidden() ||
                it == m_records.constEnd()) {
                RunList::setSwatch(item, QColor());
                continue;
            }
            const QColor color = runColor(it.key());
            RunList::setSwatch(item, color);
            m_overview->addCurves(*it, QString::fromStdString(it->name()), color);
        }
    }
    m_overview->refreshCurves();
    rebuildTable();
    emit runsChanged();
}

void RunsPanel::rebuildTable() {
    m_overview->clearTable();
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem* item = m_list->item(i);
        const auto it = m_records.constFind(RunList::runDir(item));
        if (item->checkState() != Qt::Checked || item->isHidden() || it == m_records.constEnd())
            continue;
        m_overview->addTableRow(*it, m_statuses.value(it.key()));
    }
}

void RunsPanel::showSelectedRun() {
    m_menu->updateActions();
    const QString dir = selectedRunDir();
    QString dataFile;
    if (!dir.isEmpty() && QDir(dir).absolutePath() == m_dataRun) {
        dataFile = std::exchange(m_dataToShow, QString());
        m_dataRun.clear();
    }
    classReport()->setRun(dir, devFile(dir), dataFile);
}

void RunsPanel::forgetRun(const QString& runDir) {
    m_feed->unfollow(runDir);
    m_records.remove(runDir);
    m_statuses.remove(runDir);
    m_tags.remove(runDir);
    m_tried.remove(runDir);
    m_extraDirs.removeAll(runDir);
    updateWatchedFolders();
    delete m_list->itemFor(runDir);
}

QString RunsPanel::busyProblem(const QString& runDir, const QString& verb) const {
    const QString name = QFileInfo(runDir).fileName();
    if (runDir == m_activeRun)
        return tr("Cannot %1: %2 is training in this studio; stop it first.").arg(verb, name);
    if (m_evaluationBar->isRunning() && m_evaluationBar->evaluation()->runDir() == runDir)
        return tr("Cannot %1: %2 is evaluating a file; wait for it or cancel it first.")
            .arg(verb, name);
    return {};
}

bool RunsPanel::deleteRun(const QString& runDir, bool permanently, QString* error) {
    const QString clean = QDir(runDir).absolutePath();
    if (const QString problem = busyProblem(clean, tr("delete")); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    QString trashed;
    if (!RunFolderActions::remove(clean, permanently, error, &trashed))
        return false;
    forgetRun(clean);
    showStatus(permanently ? tr("Deleted %1").arg(QFileInfo(clean).fileName())
                           : tr("Moved %1 to the trash (%2)")
                                 .arg(QFileInfo(clean).fileName(), trashed),
               false);
    m_status->setToolTip(m_status->text());
    rebuildOverlay();
    return true;
}

bool RunsPanel::renameRun(const QString& runDir, const QString& newName, QString* error,
                          QString* warning) {
    const QString clean = QDir(runDir).absolutePath();
    if (const QString problem = busyProblem(clean, tr("rename")); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    QString target;
    if (!RunFolderActions::rename(clean, newName, &target, error, warning))
        return false;
    target = QDir(target).absolutePath();
    const bool checked = checkedRunDirs().contains(clean);
    const bool selected = selectedRunDir() == clean;
    const bool extra = m_extraDirs.contains(clean);
    m_colors.moveRun(clean, target); // the run keeps its colour under its new name
    forgetRun(clean);
    if (extra)
        m_extraDirs << target;
    updateWatchedFolders();
    QStringList checkedDirs = checkedRunDirs();
    if (checked)
        checkedDirs << target;
    loadRuns({target}, checkedDirs);
    if (selected) { // select it again once read
        auto* once = new QObject(this);
        connect(this, &RunsPanel::runsChanged, once, [this, target, once] {
            if (m_list->itemFor(target)) {
                selectRun(target);
                once->deleteLater();
            }
        });
    }
    rebuildOverlay();
    return true;
}

bool RunsPanel::setTags(const QString& runDir, const QString& commaSeparated, QString* error) {
    const QString clean = QDir(runDir).absolutePath();
    if (!RunFolderActions::setTags(clean, commaSeparated, error))
        return false;
    m_tags.insert(clean, RunFolderActions::tags(clean));
    updateItem(clean);
    applyFilter();
    rebuildOverlay();
    return true;
}

QString RunsPanel::evaluationProblem(const QString& runDir) const {
    const QString clean = QDir(runDir).absolutePath();
    const QString name = QFileInfo(clean).fileName();
    if (!m_records.contains(clean))
        return tr("%1 is not listed in the Runs tab").arg(clean);
    const RunState state =
        clean == m_activeRun ? RunState::Running : m_statuses.value(clean).state;
    if (state == RunState::Running)
        return tr("%1 is still training; evaluate it once it has completed or been stopped")
            .arg(name);
    if (state == RunState::Failed)
        return tr("%1 failed; only a completed or stopped run can be evaluated").arg(name);
    if (AtomicDirectory::resolve(clean.toStdString() + "/best").empty())
        return tr("%1 has no best/ adapter yet (it stopped before its first evaluation)")
            .arg(name);
    return {};
}

bool RunsPanel::evaluateFile(const QString& runDir, const QString& dataFile, QString* error) {
    const QString problem = evaluationProblem(runDir);
    if (!problem.isEmpty()) {
        if (error)
            *error = tr("Cannot evaluate: %1.").arg(problem);
        return false;
    }
    if (!m_evaluationBar->evaluate(QDir(runDir).absolutePath(), dataFile, error))
        return false;
    m_menu->updateActions();
    return true;
}

void RunsPanel::onEvaluated(const QString& runDir, const QString& dataFile) {
    if (!m_records.contains(runDir))
        return; // deleted or renamed meanwhile
    m_overview->showPerClass();
    if (selectedRunDir() != runDir) {
        const QSignalBlocker blocker(m_list);
        selectRun(runDir);
    }
    m_menu->updateActions();
    classReport()->setRun(runDir, devFile(runDir), dataFile);
}

void RunsPanel::chooseFolderToWatch() {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Watch run folder"), m_folder->path());
    if (!dir.isEmpty())
        watchFolder(dir);
}

} // namespace fsllm
