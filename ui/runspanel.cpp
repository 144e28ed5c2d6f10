#include "runspanel.h"

#include "backgroundcall.h"
#include "livecurveplot.h"
#include "pathfield.h"
#include "reportwriter.h"
#include "resourcelocator.h"
#include "runstableview.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPixmap>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

#include <exception>

namespace fsllm {

struct RunsPanel::Loaded {
    QString directory;
    RunRecord record;
    RunStatus status;
    QString error;
};

RunsPanel::RunsPanel(QWidget* parent) : QWidget(parent) {
    m_folder = new PathField(PathField::Kind::Folder, tr("Folder of run folders"));
    m_folder->setPath(
        QSettings().value(QStringLiteral("runs/folder"), ResourceLocator::runsRoot()).toString());
    auto* add = new QPushButton(tr("Add run folder…"));
    auto* reload = new QPushButton(tr("Refresh"));
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Runs folder")));
    top->addWidget(m_folder, 1);
    top->addWidget(add);
    top->addWidget(reload);

    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter runs (name, mask, status)"));
    m_filter->setClearButtonEnabled(true);
    m_list = new QListWidget;
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
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
    for (const NamedPlot& named : plots()) {
        named.plot->setMinimumSize(170, 140);
        ExportDialog::installContextMenu(named.plot, named.name);
        plotRow->addWidget(named.plot, 1);
    }
    m_tableView = new RunsTableView;
    auto* exportTable = new QPushButton(tr("Export table…"));
    auto* tableRow = new QHBoxLayout;
    tableRow->addWidget(new QLabel(tr("<b>Results</b> (best dev checkpoint of each checked "
                                      "run; scores in %; click a header to sort)")));
    tableRow->addStretch(1);
    tableRow->addWidget(exportTable);
    auto* right = new QSplitter(Qt::Vertical);
    auto* plotBox = new QWidget;
    plotBox->setLayout(plotRow);
    auto* tableBox = new QWidget;
    auto* tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addLayout(tableRow);
    tableLayout->addWidget(m_tableView, 1);
    right->addWidget(plotBox);
    right->addWidget(tableBox);
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

    connect(m_folder, &PathField::pathChanged, this, &RunsPanel::setRunsFolder);
    connect(add, &QPushButton::clicked, this, &RunsPanel::chooseRunFolderToAdd);
    connect(reload, &QPushButton::clicked, this, &RunsPanel::refresh);
    connect(all, &QPushButton::clicked, this, [this] { setAllChecked(true); });
    connect(none, &QPushButton::clicked, this, [this] { setAllChecked(false); });
    connect(inspect, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_list->currentItem())
            emit inspectRunRequested(item->data(Qt::UserRole).toString());
    });
    connect(m_list, &QListWidget::itemChanged, this, &RunsPanel::rebuildOverlay);
    connect(m_filter, &QLineEdit::textChanged, this, &RunsPanel::setFilter);
    connect(exportTable, &QPushButton::clicked, this, &RunsPanel::chooseTableExport);
}

QList<NamedPlot> RunsPanel::plots() const {
    return {{tr("Runs train loss"), m_plots.trainLoss},
            {tr("Runs eval loss"), m_plots.evalLoss},
            {tr("Runs accuracy F1"), m_plots.scores}};
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
    // Every word must occur in the run's name, mask or status (case-insensitive).
    const QStringList words = m_filter->text().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QSignalBlocker blocker(m_list);
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        const QString dir = item->data(Qt::UserRole).toString();
        QString haystack = item->text();
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
    refresh();
}

void RunsPanel::addRunFolder(const QString& runDir, bool checked) {
    const QString clean = QDir(runDir).absolutePath();
    if (!m_extraDirs.contains(clean))
        m_extraDirs << clean;
    QStringList checkedDirs = checkedRunDirs();
    if (checked)
        checkedDirs << clean;
    loadRuns({clean}, checkedDirs);
}

void RunsPanel::refresh() {
    QStringList dirs = m_folder->path().isEmpty()
                           ? QStringList()
                           : ReportWriter::expandRunFolders(m_folder->path());
    for (const QString& extra : m_extraDirs)
        if (!dirs.contains(extra))
            dirs << extra;
    QStringList checkedDirs = checkedRunDirs();
    if (m_list->count() == 0)
        checkedDirs = dirs; // first scan: show every run
    loadRuns(dirs, checkedDirs);
}

void RunsPanel::loadRuns(const QStringList& runDirs, const QStringList& checkedDirs) {
    ++m_pendingLoads;
    m_status->setText(tr("Reading %n run folder(s)…", nullptr, int(runDirs.size())));
    BackgroundCall::run(
        this,
        [runDirs, active = m_activeRun]() {
            QList<Loaded> loaded;
            for (const QString& dir : runDirs) {
                Loaded item;
                item.directory = QDir(dir).absolutePath();
                item.status = RunStatus::read(item.directory, item.directory == active);
                try {
                    item.record = RunRecord::load(item.directory.toStdString());
                } catch (const std::exception& e) {
                    item.error = QString::fromUtf8(e.what());
                }
                loaded << item;
            }
            return loaded;
        },
        [this, checkedDirs](const QList<Loaded>& loaded) { onLoaded(loaded, checkedDirs); });
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
            m_records.insert(item.directory, item.record);
            m_statuses.insert(item.directory, item.status);
            QListWidgetItem* entry = itemFor(item.directory);
            if (!entry) {
                entry = new QListWidgetItem(m_list);
                entry->setData(Qt::UserRole, item.directory);
                entry->setFlags(entry->flags() | Qt::ItemIsUserCheckable);
            }
            entry->setText(
                QStringLiteral("%1  (%2)")
                    .arg(QFileInfo(item.directory).fileName(), RunStatus::name(item.status.state)));
            entry->setForeground(item.status.state == RunState::Failed ? QColor(0xc0, 0x39, 0x2b)
                                                                       : QColor());
            entry->setToolTip(item.status.detail.isEmpty()
                                  ? item.directory
                                  : item.directory + QLatin1Char('\n') + item.status.detail);
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
}

void RunsPanel::rebuildOverlay() {
    RunCurves::clear(m_plots);
    m_table.clear();
    m_tableView->clearRuns();
    // One colour per run for as long as the studio runs (the order the runs were first listed
    // in), so adding, removing or unchecking runs never recolours the others. The list's swatches
    // name the colours on screen; exported figures carry a legend (PlotExporter).
    const QSignalBlocker blocker(m_list);
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        const auto it = m_records.constFind(item->data(Qt::UserRole).toString());
        if (item->checkState() != Qt::Checked || item->isHidden() || it == m_records.constEnd()) {
            item->setIcon(QIcon());
            continue;
        }
        const QColor color = runColor(it.key());
        QPixmap swatch(12, 12);
        swatch.fill(color);
        item->setIcon(QIcon(swatch));
        RunCurves::addRun(m_plots, *it, QString::fromStdString(it->name()), color);
        m_table.addRun(*it);
        m_tableView->addRun(*it, m_statuses.value(it.key()));
    }
    for (const NamedPlot& named : plots()) {
        auto* plot = static_cast<LiveCurvePlot*>(named.plot.data());
        plot->legend->setVisible(false);
        plot->refreshNow();
    }
    emit runsChanged();
}

bool RunsPanel::exportTable(const QString& path, QString* error) const {
    return m_table.save(path, error);
}

void RunsPanel::chooseRunFolderToAdd() {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Add run folder"), m_folder->path());
    if (!dir.isEmpty())
        for (const QString& run : ReportWriter::expandRunFolders(dir))
            addRunFolder(run);
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
