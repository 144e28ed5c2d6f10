#include "runspanel.h"

#include "atomicdirectory.h"
#include "backgroundcall.h"
#include "bestrecord.h"
#include "classreportview.h"
#include "confusionmatrixplot.h"
#include "fsllmerror.h"
#include "livecurveplot.h"
#include "pathfield.h"
#include "reportwriter.h"
#include "resourcelocator.h"
#include "runevaluationbar.h"
#include "runfolderactions.h"
#include "runlivefeed.h"
#include "runstableview.h"
#include "runtags.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <exception>

namespace fsllm {

struct RunsPanel::Loaded {
    QString directory;
    RunRecord record;
    RunStatus status;
    QStringList tags;
    std::shared_ptr<MetricsTail> tail; // stands after the records read
    QString error;   // not listed
    QString warning; // listed, e.g. without its tags
};

namespace {

// A run read for the list: run.json, metrics.jsonl through the tail that will follow it, best/
// (as RunRecord::load), tags.json.
void readRun(const QString& directory, RunRecord* record, QStringList* tags, QString* warning,
             const std::shared_ptr<MetricsTail>& tail) {
    const std::string dir = directory.toStdString();
    record->directory = dir;
    record->config = TrainingConfig::load(dir + "/" + TrainingConfig::kFileName);
    MetricsTail::Batch batch = tail->poll();
    record->steps = std::move(batch.steps);
    record->evals = std::move(batch.evals);
    if (const std::optional<BestRecord> best = BestRecord::read(dir))
        best->reconcile(record->evals);
    try {
        for (const std::string& tag : RunTags::read(dir))
            *tags << QString::fromStdString(tag);
    } catch (const FsllmError& e) { // the run is listed all the same, without tags
        *warning = QString::fromUtf8(e.what());
    }
}

} // namespace

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
    m_list = new QListWidget;
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    auto* all = new QPushButton(tr("All"));
    auto* none = new QPushButton(tr("None"));
    auto* manage = new QToolButton;
    manage->setText(tr("Run"));
    manage->setPopupMode(QToolButton::InstantPopup);
    auto* runMenu = new QMenu(manage);
    runMenu->setToolTipsVisible(true);
    QAction* rename = runMenu->addAction(tr("Rename…"), this, &RunsPanel::askRename);
    rename->setShortcut(Qt::Key_F2);
    runMenu->addAction(tr("Tags…"), this, &RunsPanel::askTags);
    QAction* remove = runMenu->addAction(tr("Delete…"), this, &RunsPanel::confirmDelete);
    remove->setShortcut(QKeySequence::Delete);
    runMenu->addSeparator();
    m_evaluateAction =
        runMenu->addAction(tr("Evaluate file…"), this, &RunsPanel::chooseFileToEvaluate);
    m_evaluateAction->setEnabled(false);
    runMenu->addAction(tr("Inspect with run"), this, [this] {
        if (!selectedRunDir().isEmpty())
            emit inspectRunRequested(selectedRunDir());
    });
    manage->setMenu(runMenu);
    manage->setToolTip(tr("Rename (F2), tag, delete (Del) the selected run, evaluate a data "
                          "file with it, or use its adapter on the Inspect tab"));
    for (QAction* action : {rename, remove}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_list->addAction(action);
    }
    auto* inspect = new QPushButton(tr("Inspect with run"));
    inspect->setToolTip(tr("Use the selected run's adapter on the Inspect tab"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_evaluationBar = new RunEvaluationBar;
    auto* listButtons = new QHBoxLayout;
    listButtons->addWidget(all);
    listButtons->addWidget(none);
    listButtons->addStretch(1);
    listButtons->addWidget(manage);
    listButtons->addWidget(inspect);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_filter);
    leftLayout->addWidget(m_list, 1);
    leftLayout->addLayout(listButtons);
    leftLayout->addWidget(m_status);

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
    tableRow->addWidget(new QLabel(tr("Best dev checkpoint of each checked run; scores in %; "
                                      "click a header to sort")));
    tableRow->addStretch(1);
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
    auto* right = new QSplitter(Qt::Vertical);
    auto* plotBox = new QWidget;
    plotBox->setLayout(plotRow);
    right->addWidget(plotBox);
    right->addWidget(m_lowerTabs);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(right);
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
    connect(m_list, &QListWidget::itemChanged, this, &RunsPanel::rebuildOverlay);
    connect(m_list, &QListWidget::currentItemChanged, this, &RunsPanel::showSelectedRun);
    connect(m_list, &QWidget::customContextMenuRequested, this, &RunsPanel::showListMenu);
    connect(m_filter, &QLineEdit::textChanged, this, &RunsPanel::setFilter);
    connect(exportTable, &QPushButton::clicked, this, &RunsPanel::chooseTableExport);
    connect(m_evaluationBar, &RunEvaluationBar::evaluated, this, &RunsPanel::onEvaluated);
    connect(m_evaluationBar, &RunEvaluationBar::finished, this, &RunsPanel::updateRunActions);
    updateWatchedFolders();
}

QList<NamedPlot> RunsPanel::plots() const {
    return {{tr("Runs train loss"), m_plots.trainLoss},
            {tr("Runs eval loss"), m_plots.evalLoss},
            {tr("Runs accuracy F1"), m_plots.scores},
            {tr("Confusion matrix"), m_classReport ? m_classReport->matrixPlot() : nullptr}};
}

QColor RunsPanel::runColor(const QString& runDir) const {
    const QString clean = QDir(runDir).absolutePath();
    auto it = m_colorIndex.constFind(clean);
    if (it == m_colorIndex.constEnd())
        it = m_colorIndex.insert(clean, int(m_colorIndex.size()));
    return RunCurves::runColor(it.value());
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
    const QStringList words = m_filter->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QSignalBlocker blocker(m_list);
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        const QString dir = item->data(Qt::UserRole).toString();
        QString haystack = item->text() + QLatin1Char(' ') + m_tags.value(dir).join(' ');
        if (const auto it = m_records.constFind(dir); it != m_records.constEnd())
            haystack += QLatin1Char(' ') + QString::fromStdString(it->config.mask.describe());
        bool shown = true;
        for (const QString& word : words)
            shown = shown && haystack.contains(word, Qt::CaseInsensitive);
        item->setHidden(!shown);
    }
}

QStringList RunsPanel::shownRunDirs() const {
    QStringList dirs;
    for (int i = 0; i < m_list->count(); ++i)
        if (!m_list->item(i)->isHidden())
            dirs << m_list->item(i)->data(Qt::UserRole).toString();
    return dirs;
}

QString RunsPanel::runsFolder() const {
    return m_folder->path();
}
int RunsPanel::runCount() const {
    return m_list->count();
}

QStringList RunsPanel::runDirs() const {
    QStringList dirs;
    for (int i = 0; i < m_list->count(); ++i)
        dirs << m_list->item(i)->data(Qt::UserRole).toString();
    return dirs;
}

QStringList RunsPanel::checkedRunDirs() const {
    QStringList dirs;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            dirs << m_list->item(i)->data(Qt::UserRole).toString();
    return dirs;
}

QListWidgetItem* RunsPanel::itemFor(const QString& runDir) const {
    const QString clean = QDir(runDir).absolutePath();
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->data(Qt::UserRole).toString() == clean)
            return m_list->item(i);
    return nullptr;
}

bool RunsPanel::isShownAndChecked(const QString& runDir) const {
    const QListWidgetItem* item = itemFor(runDir);
    return item && !item->isHidden() && item->checkState() == Qt::Checked;
}

QString RunsPanel::selectedRunDir() const {
    const QListWidgetItem* item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

void RunsPanel::selectRun(const QString& runDir) {
    if (QListWidgetItem* item = itemFor(runDir))
        m_list->setCurrentItem(item);
}

void RunsPanel::showRun(const QString& runDir) {
    m_runToShow = QDir(runDir).absolutePath();
    m_lowerTabs->setCurrentWidget(m_classReport);
    if (itemFor(m_runToShow)) {
        selectRun(m_runToShow);
        m_runToShow.clear();
    }
}

void RunsPanel::setChecked(const QString& runDir, bool checked) {
    if (QListWidgetItem* item = itemFor(runDir))
        item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

void RunsPanel::setAllChecked(bool checked) {
    const QSignalBlocker blocker(m_list);
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
    rebuildOverlay();
}

void RunsPanel::setRunsFolder(const QString& directory) {
    m_folder->setPath(directory);
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
        m_status->setStyleSheet(QString());
        m_status->setText(tr("Watching %1: its runs are listed as they start").arg(clean));
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
        [runDirs, active = m_activeRun]() {
            QList<Loaded> loaded;
            for (const QString& dir : runDirs) {
                Loaded item;
                item.directory = QDir(dir).absolutePath();
                item.status = RunStatus::read(item.directory, item.directory == active);
                item.tail = std::make_shared<MetricsTail>(
                    QDir(item.directory).filePath(QStringLiteral("metrics.jsonl")).toStdString());
                try {
                    readRun(item.directory, &item.record, &item.tags, &item.warning, item.tail);
                } catch (const std::exception& e) {
                    item.error = QString::fromUtf8(e.what());
                }
                loaded << item;
            }
            return loaded;
        },
        [this, checkedDirs](const QList<Loaded>& loaded) { onLoaded(loaded, checkedDirs); });
}

void RunsPanel::updateItem(QListWidgetItem* item) {
    const QString dir = item->data(Qt::UserRole).toString();
    const RunStatus status = m_statuses.value(dir);
    const QStringList tags = m_tags.value(dir);
    QString text = QStringLiteral("%1  (%2)").arg(QFileInfo(dir).fileName(),
                                                  RunStatus::name(status.state));
    if (!tags.isEmpty())
        text += QStringLiteral("  [%1]").arg(tags.join(QStringLiteral(", ")));
    item->setText(text);
    item->setForeground(status.state == RunState::Failed ? QColor(0xc0, 0x39, 0x2b) : QColor());
    item->setToolTip(status.detail.isEmpty() ? dir : dir + QLatin1Char('\n') + status.detail);
}

void RunsPanel::onLoaded(const QList<Loaded>& loaded, const QStringList& checkedDirs) {
    --m_pendingLoads;
    QStringList errors;
    {
        const QSignalBlocker blocker(m_list);
        for (const Loaded& item : loaded) {
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
            QListWidgetItem* entry = itemFor(item.directory);
            if (!entry) {
                entry = new QListWidgetItem(m_list);
                entry->setData(Qt::UserRole, item.directory);
                entry->setFlags(entry->flags() | Qt::ItemIsUserCheckable);
            }
            updateItem(entry);
            entry->setCheckState(checkedDirs.contains(item.directory) ? Qt::Checked
                                                                      : Qt::Unchecked);
        }
        m_list->sortItems();
        for (int i = 0; i < m_list->count(); ++i)
            runColor(m_list->item(i)->data(Qt::UserRole).toString()); // fixes new runs' colours
    }
    applyFilter();
    m_status->setStyleSheet(errors.isEmpty() ? QString() : QStringLiteral("color: #c0392b;"));
    m_status->setText(errors.isEmpty() ? tr("%n run(s)", nullptr, m_list->count())
                                       : errors.join(QLatin1Char('\n')));
    rebuildOverlay();
    if (!m_runToShow.isEmpty() && itemFor(m_runToShow))
        showRun(m_runToShow);
    // A reread selected run may have new predictions.
    for (const Loaded& item : loaded)
        if (item.directory == selectedRunDir())
            showSelectedRun();
    updateRunActions();
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
    if (!isShownAndChecked(runDir))
        return;
    // Only the new points go to the plots; the table changes with evaluations only.
    RunRecord added;
    added.steps = batch.steps;
    added.evals = batch.evals;
    RunCurves::addRun(m_plots, added, QString::fromStdString(it->name()), runColor(runDir));
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
    if (QListWidgetItem* item = itemFor(runDir)) {
        const QSignalBlocker blocker(m_list);
        updateItem(item);
    }
    applyFilter();
    rebuildTable();
    updateRunActions();
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
    RunCurves::clear(m_plots);
    // One colour per run for as long as the studio runs (the order the runs were first listed
    // in), so adding, removing, renaming or unchecking runs never recolours the others. The
    // list's swatches name the colours on screen; exported figures carry a legend (PlotExporter).
    {
        const QSignalBlocker blocker(m_list);
        for (int i = 0; i < m_list->count(); ++i) {
            QListWidgetItem* item = m_list->item(i);
            const auto it = m_records.constFind(item->data(Qt::UserRole).toString());
            if (item->checkState() != Qt::Checked || item->isHidden() ||
                it == m_records.constEnd()) {
                item->setIcon(QIcon());
                continue;
            }
            const QColor color = runColor(it.key());
            QPixmap swatch(12, 12);
            swatch.fill(color);
            item->setIcon(QIcon(swatch));
            RunCurves::addRun(m_plots, *it, QString::fromStdString(it->name()), color);
        }
    }
    for (LiveCurvePlot* plot : {m_plots.trainLoss, m_plots.evalLoss, m_plots.scores}) {
        plot->legend->setVisible(false);
        plot->refreshNow();
    }
    rebuildTable();
    emit runsChanged();
}

void RunsPanel::rebuildTable() {
    m_table.clear();
    m_tableView->clearRuns();
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem* item = m_list->item(i);
        const auto it = m_records.constFind(item->data(Qt::UserRole).toString());
        if (item->checkState() != Qt::Checked || item->isHidden() || it == m_records.constEnd())
            continue;
        m_table.addRun(*it);
        m_tableView->addRun(*it, m_statuses.value(it.key()));
    }
}

void RunsPanel::showSelectedRun() {
    updateRunActions();
    const QString dir = selectedRunDir();
    const auto it = m_records.constFind(dir);
    m_classReport->setRun(dir, it == m_records.constEnd()
                                   ? QString()
                                   : QString::fromStdString(it->config.devFile));
}

void RunsPanel::forgetRun(const QString& runDir) {
    m_feed->unfollow(runDir);
    m_records.remove(runDir);
    m_statuses.remove(runDir);
    m_tags.remove(runDir);
    m_tried.remove(runDir);
    m_extraDirs.removeAll(runDir);
    updateWatchedFolders();
    delete itemFor(runDir);
}

bool RunsPanel::deleteRun(const QString& runDir, bool permanently, QString* error) {
    const QString clean = QDir(runDir).absolutePath();
    if (clean == m_activeRun) {
        if (error)
            *error = tr("Cannot delete: %1 is training in this studio; stop it first.")
                         .arg(QFileInfo(clean).fileName());
        return false;
    }
    if (m_evaluationBar->isRunning() && m_evaluationBar->evaluation()->runDir() == clean) {
        if (error)
            *error = tr("Cannot delete: %1 is evaluating a file; wait for it or cancel it first.")
                         .arg(QFileInfo(clean).fileName());
        return false;
    }
    QString trashed;
    if (!RunFolderActions::remove(clean, permanently, error, &trashed))
        return false;
    forgetRun(clean);
    m_status->setStyleSheet(QString());
    m_status->setText(permanently ? tr("Deleted %1").arg(QFileInfo(clean).fileName())
                                  : tr("Moved %1 to the trash (%2)")
                                        .arg(QFileInfo(clean).fileName(), trashed));
    m_status->setToolTip(m_status->text());
    rebuildOverlay();
    return true;
}

bool RunsPanel::renameRun(const QString& runDir, const QString& newName, QString* error) {
    const QString clean = QDir(runDir).absolutePath();
    if (clean == m_activeRun) {
        if (error)
            *error = tr("Cannot rename: %1 is training in this studio; stop it first.")
                         .arg(QFileInfo(clean).fileName());
        return false;
    }
    if (m_evaluationBar->isRunning() && m_evaluationBar->evaluation()->runDir() == clean) {
        if (error)
            *error = tr("Cannot rename: %1 is evaluating a file; wait for it or cancel it first.")
                         .arg(QFileInfo(clean).fileName());
        return false;
    }
    QString target;
    if (!RunFolderActions::rename(clean, newName, &target, error))
        return false;
    target = QDir(target).absolutePath();
    const bool checked = checkedRunDirs().contains(clean);
    const bool selected = selectedRunDir() == clean;
    const bool extra = m_extraDirs.contains(clean);
    if (m_colorIndex.contains(clean)) // the run keeps its colour under its new name
        m_colorIndex.insert(target, m_colorIndex.take(clean));
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
            if (itemFor(target)) {
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
    if (QListWidgetItem* item = itemFor(clean)) {
        const QSignalBlocker blocker(m_list);
        updateItem(item);
    }
    applyFilter();
    rebuildOverlay();
    return true;
}

void RunsPanel::confirmDelete() {
    const QString dir = selectedRunDir();
    if (dir.isEmpty())
        return;
    const QString name = QFileInfo(dir).fileName();
    if (const QString running = RunFolderActions::runningProblem(dir);
        !running.isEmpty() || dir == m_activeRun) {
        QMessageBox::warning(this, tr("Delete run"),
                             tr("Cannot delete: %1.")
                                 .arg(running.isEmpty() ? tr("%1 is training in this studio; "
                                                             "stop it first")
                                                              .arg(name)
                                                        : running));
        return;
    }
    const auto answer = QMessageBox::question(
        this, tr("Delete run"),
        tr("Move the run folder %1 to the trash?\n%2").arg(name, dir),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    QString error;
    if (deleteRun(dir, false, &error))
        return;
    if (!error.contains(tr("trash"))) {
        QMessageBox::warning(this, tr("Delete run"), error);
        return;
    }
    const auto permanently = QMessageBox::question(
        this, tr("Delete run"), tr("%1\nDelete %2 permanently instead?").arg(error, name),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (permanently == QMessageBox::Yes && !deleteRun(dir, true, &error))
        QMessageBox::warning(this, tr("Delete run"), error);
}

void RunsPanel::askRename() {
    const QString dir = selectedRunDir();
    if (dir.isEmpty())
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename run"), tr("New folder name:"),
                                               QLineEdit::Normal, QFileInfo(dir).fileName(), &ok);
    QString error;
    if (ok && name != QFileInfo(dir).fileName() && !renameRun(dir, name, &error))
        QMessageBox::warning(this, tr("Rename run"), error);
}

void RunsPanel::askTags() {
    const QString dir = selectedRunDir();
    if (dir.isEmpty())
        return;
    bool ok = false;
    const QString text = QInputDialog::getText(
        this, tr("Tags"),
        tr("Tags of %1 (comma-separated; kept in its tags.json):").arg(QFileInfo(dir).fileName()),
        QLineEdit::Normal, tags(dir).join(QStringLiteral(", ")), &ok);
    QString error;
    if (ok && !setTags(dir, text, &error))
        QMessageBox::warning(this, tr("Tags"), error);
}

void RunsPanel::showListMenu(const QPoint& at) {
    QListWidgetItem* item = m_list->itemAt(at);
    if (!item)
        return;
    m_list->setCurrentItem(item);
    QMenu menu(this);
    menu.addAction(tr("Rename…"), this, &RunsPanel::askRename);
    menu.addAction(tr("Tags…"), this, &RunsPanel::askTags);
    menu.addAction(tr("Delete…"), this, &RunsPanel::confirmDelete);
    menu.addSeparator();
    QAction* evaluate =
        menu.addAction(tr("Evaluate file…"), this, &RunsPanel::chooseFileToEvaluate);
    evaluate->setEnabled(m_evaluateAction->isEnabled());
    evaluate->setToolTip(m_evaluateAction->toolTip());
    menu.addAction(tr("Inspect with run"), this,
                   [this] { emit inspectRunRequested(selectedRunDir()); });
    menu.exec(m_list->viewport()->mapToGlobal(at));
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
    updateRunActions();
    return true;
}

void RunsPanel::chooseFileToEvaluate() {
    const QString dir = selectedRunDir();
    if (dir.isEmpty())
        return;
    const auto it = m_records.constFind(dir);
    const QString dev =
        it == m_records.constEnd() ? QString() : QString::fromStdString(it->config.devFile);
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Evaluate a data file with %1").arg(QFileInfo(dir).fileName()),
        dev.isEmpty() ? QString() : QFileInfo(dev).absolutePath(),
        tr("Data files (*.tsv *.txt *.csv *.jsonl *.conll *.conllu);;All files (*)"));
    QString error;
    if (!file.isEmpty() && !evaluateFile(dir, file, &error))
        QMessageBox::warning(this, tr("Evaluate file"), error);
}

void RunsPanel::onEvaluated(const QString& runDir, const QString& dataFile) {
    const auto it = m_records.constFind(runDir);
    if (it == m_records.constEnd())
        return; // deleted or renamed meanwhile
    m_lowerTabs->setCurrentWidget(m_classReport);
    if (selectedRunDir() != runDir) {
        const QSignalBlocker blocker(m_list);
        selectRun(runDir);
    }
    updateRunActions();
    m_classReport->setRun(runDir, QString::fromStdString(it->config.devFile), dataFile);
}

void RunsPanel::updateRunActions() {
    const QString dir = selectedRunDir();
    QString problem = dir.isEmpty() ? tr("Select a run first") : evaluationProblem(dir);
    if (problem.isEmpty() && m_evaluationBar->isRunning())
        problem = tr("Another file is being evaluated");
    m_evaluateAction->setEnabled(problem.isEmpty());
    m_evaluateAction->setToolTip(
        problem.isEmpty() ? tr("Score a labelled data file with this run's best checkpoint, as "
                               "fsllm eval does; its per-class scores appear below")
                          : problem);
}

bool RunsPanel::exportTable(const QString& path, QString* error) const {
    return m_table.save(path, error);
}

void RunsPanel::chooseFolderToWatch() {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Watch run folder"), m_folder->path());
    if (!dir.isEmpty())
        watchFolder(dir);
}

void RunsPanel::chooseTableExport() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export results table"), QDir(m_folder->path()).filePath("results.csv"),
        tr("CSV (*.csv);;Markdown (*.md);;LaTeX (*.tex)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTable(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace fsllm
