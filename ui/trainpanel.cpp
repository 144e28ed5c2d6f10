#include "trainpanel.h"

#include "atomicfile.h"
#include "datapreview.h"
#include "formwording.h"
#include "fsllmerror.h"
#include "localprocessjob.h"
#include "metatypes.h"
#include "modelsummaryview.h"
#include "resourcelocator.h"
#include "runrecord.h"
#include "stallmeter.h"
#include "sweepdialog.h"
#include "trainingmonitor.h"
#include "trainingworker.h"
#include "trainsettingsform.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include <exception>

namespace fsllm {

TrainPanel::TrainPanel(QWidget* parent) : QWidget(parent) {
    registerStudioMetaTypes();
    setAcceptDrops(true);

    m_form = new TrainSettingsForm;
    m_summary = new ModelSummaryView;
    auto* summaryBox = new QGroupBox(tr("Checkpoint"));
    auto* summaryLayout = new QVBoxLayout(summaryBox);
    summaryLayout->addWidget(m_summary);
    auto* settings = new QWidget;
    auto* settingsLayout = new QVBoxLayout(settings);
    settingsLayout->setContentsMargins(0, 0, 4, 0);
    settingsLayout->addWidget(summaryBox);
    settingsLayout->addWidget(m_form, 1);
    auto* scroll = new QScrollArea;
    scroll->setWidget(settings);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(330);

    m_trainPreview = new DataPreview;
    m_devPreview = new DataPreview;
    auto* previews = new QTabWidget;
    previews->addTab(m_trainPreview, tr("Train data"));
    previews->addTab(m_devPreview, tr("Dev data"));
    m_monitor = new TrainingMonitor;
    m_message = new QLabel;
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(buildButtons());
    topLayout->addWidget(m_message);
    topLayout->addWidget(m_monitor, 1);
    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(top);
    right->addWidget(previews);
    right->setStretchFactor(0, 4);
    right->setStretchFactor(1, 1);
    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(scroll);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({380, 1000});
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split);

    m_stall = new StallMeter(this);
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("training"));
    m_worker = new TrainingWorker;
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::started, this, &TrainPanel::onStarted);
    connect(m_worker, &TrainingWorker::stepped, m_monitor, &TrainingMonitor::addStep);
    connect(m_worker, &TrainingWorker::evaluated, m_monitor, &TrainingMonitor::addEval);
    connect(m_worker, &TrainingWorker::message, m_monitor, &TrainingMonitor::setStatusText);
    connect(m_worker, &TrainingWorker::finished, this, &TrainPanel::onFinished);
    connect(m_worker, &TrainingWorker::failed, this, &TrainPanel::onFailed);
    m_thread->start();
    m_processJob = new LocalProcessJob(this);
    connect(m_processJob, &LocalProcessJob::started, this, &TrainPanel::onStarted);
    connect(m_processJob, &LocalProcessJob::stepped, m_monitor, &TrainingMonitor::addStep);
    connect(m_processJob, &LocalProcessJob::evaluated, m_monitor, &TrainingMonitor::addEval);
    connect(m_processJob, &LocalProcessJob::message, m_monitor, &TrainingMonitor::setStatusText);
    connect(m_processJob, &LocalProcessJob::finished, this, &TrainPanel::onFinished);
    connect(m_processJob, &LocalProcessJob::failed, this, &TrainPanel::onFailed);

    connect(m_form, &TrainSettingsForm::modelDirChanged, this, &TrainPanel::modelDirChanged);
    connect(m_form, &TrainSettingsForm::dataChanged, this, &TrainPanel::refreshPreviews);
    for (DataPreview* preview : {m_trainPreview, m_devPreview}) {
        connect(preview, &DataPreview::loaded, this, &TrainPanel::updateStartEnabled);
        connect(preview, &DataPreview::failed, this, &TrainPanel::updateStartEnabled);
    }
    updateStartEnabled();
}

TrainPanel::~TrainPanel() {
    shutdown();
}

QWidget* TrainPanel::buildButtons() {
    m_start = new QPushButton(tr("Start"));
    m_start->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_start->setDefault(true);
    m_pause = new QPushButton(tr("Pause"));
    m_pause->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_resume = new QPushButton(tr("Resume run…"));
    m_resume->setToolTip(tr("Continue a stopped run from its last checkpoint"));
    m_sweep = new QPushButton(tr("Sweep…"));
    m_sweep->setToolTip(tr("Queue a grid of runs (masks, lambdas, heads, seeds) over these "
                           "settings; they train one after another"));
    m_pause->setEnabled(false);
    m_stop->setEnabled(false);
    connect(m_start, &QPushButton::clicked, this, &TrainPanel::startTraining);
    connect(m_pause, &QPushButton::clicked, this, &TrainPanel::togglePause);
    connect(m_stop, &QPushButton::clicked, this, &TrainPanel::stopTraining);
    connect(m_resume, &QPushButton::clicked, this, &TrainPanel::chooseRunToResume);
    connect(m_sweep, &QPushButton::clicked, this, &TrainPanel::chooseSweep);
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QPushButton* button : {m_start, m_pause, m_stop, m_resume, m_sweep})
        layout->addWidget(button);
    layout->addStretch(1);
    return row;
}

QList<NamedPlot> TrainPanel::plots() const {
    return m_monitor->plots();
}

QString TrainPanel::messageText() const {
    return m_message->isHidden() ? QString() : m_message->text();
}

void TrainPanel::showMessage(const QString& text, bool error) {
    m_message->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    if (error && !text.isEmpty())
        emit errorOccurred(text);
}

void TrainPanel::refreshPreviews() {
    DataReadOptions options;
    try {
        options = m_form->dataOptions();
    } catch (const std::exception& e) {
        showMessage(FormWording::forForm(QString::fromUtf8(e.what())), true);
        return;
    }
    m_trainPreview->showFile(m_form->trainFile(), options);
    m_devPreview->showFile(m_form->devFile(), options);
    updateStartEnabled(); // a new file clears the old file's error
}

void TrainPanel::showModelLoading(const QString& directory) {
    m_modelError.clear();
    m_summary->showLoading(directory);
    updateStartEnabled();
}

void TrainPanel::showModelSummary(const ModelSummary& summary) {
    m_modelError.clear();
    m_summary->showSummary(summary);
    updateStartEnabled();
}

void TrainPanel::showModelError(const QString& directory, const QString& error) {
    m_modelError = tr("Model: %1 cannot be opened (%2)").arg(directory, error);
    m_summary->showError(directory, error);
    updateStartEnabled();
}

QString TrainPanel::startBlocker() const {
    if (!m_modelError.isEmpty())
        return m_modelError;
    const DataPreview* previews[] = {m_trainPreview, m_devPreview};
    const QString names[] = {tr("Train"), tr("Dev")};
    for (int i = 0; i < 2; ++i)
        if (!previews[i]->errorText().isEmpty())
            return tr("%1: %2").arg(names[i], previews[i]->errorText());
    return {};
}

void TrainPanel::updateStartEnabled() {
    if (m_shutDown)
        return;
    const QString blocker = startBlocker();
    m_start->setEnabled(!m_training && blocker.isEmpty());
    m_start->setToolTip(blocker.isEmpty() ? tr("Start a run with these settings (F5)")
                                          : tr("Cannot start: %1").arg(blocker));
}

void TrainPanel::beginJob(int processes) {
    m_training = true;
    m_paused = false;
    m_processes = processes;
    m_form->setEditable(false);
    m_start->setEnabled(false);
    m_resume->setEnabled(false);
    m_sweep->setEnabled(false);
    m_pause->setEnabled(processes == 1); // the ranks of a data-parallel run cannot pause
    m_pause->setText(tr("Pause"));
    m_stop->setEnabled(true);
    showMessage(QString(), false);
    m_monitor->reset();
    m_stall->start();
}

void TrainPanel::endJob() {
    m_training = false;
    m_paused = false;
    m_stall->stop();
    m_form->setEditable(true);
    m_resume->setEnabled(true);
    m_sweep->setEnabled(true);
    updateStartEnabled();
    m_pause->setEnabled(false);
    m_pause->setText(tr("Pause"));
    m_stop->setEnabled(false);
    spdlog::info("GUI event loop: longest stall while training {:.1f} ms", m_stall->maxStallMs());
}

void TrainPanel::startTraining() {
    if (m_training || m_shutDown)
        return;
    if (const QString blocker = startBlocker(); !blocker.isEmpty()) {
        showMessage(tr("Cannot start: %1").arg(blocker), true); // no run folder is created
        return;
    }
    TrainingConfig config;
    try {
        config = m_form->config();
    } catch (const std::exception& e) {
        showMessage(FormWording::forForm(QString::fromUtf8(e.what())), true);
        return;
    }
    m_form->saveSettings();
    launch(config, m_form->processes());
}

void TrainPanel::launch(const TrainingConfig& config, int processes) {
    beginJob(processes);
    m_runDir = QString::fromStdString(config.outDir);
    m_monitor->setStatusText(tr("starting…"));
    spdlog::info("starting a run in {} ({} process(es))", config.outDir, processes);
    if (processes > 1) { // "all cores" is shared between the processes (fsllm train --nproc)
        m_processJob->start(config, processes);
        return;
    }
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, config] { worker->start(config); }, Qt::QueuedConnection);
}

void TrainPanel::chooseSweep() {
    if (m_training || m_shutDown || m_queue.isActive())
        return;
    TrainingConfig base;
    try {
        base = m_form->config();
    } catch (const std::exception& e) {
        showMessage(FormWording::forForm(QString::fromUtf8(e.what())), true);
        return;
    }
    const QString folder = QDir(ResourceLocator::runsRoot())
                               .filePath(QDateTime::currentDateTime().toString(
                                             QStringLiteral("yyyyMMdd-HHmmss")) +
                                         QStringLiteral("-sweep"));
    SweepDialog dialog(base, folder, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!startSweep(dialog.grid(), dialog.folder(), &error))
        showMessage(error, true);
}

bool TrainPanel::startSweep(const SweepGrid& grid, const QString& folder, QString* error) {
    auto fail = [error](const QString& text) {
        if (error)
            *error = text;
        return false;
    };
    if (m_training || m_shutDown || m_queue.isActive())
        return fail(tr("Cannot start a sweep while a run trains"));
    if (const QString blocker = startBlocker(); !blocker.isEmpty())
        return fail(tr("Cannot start: %1").arg(blocker));
    std::vector<SweepPoint> points;
    try {
        const TrainingConfig base = m_form->config();
        points = grid.expand(base, folder.toStdString());
        for (const SweepPoint& point : points)
            point.config.validate();
        if (!QDir().mkpath(folder))
            throw FsllmError(folder.toStdString() + ": cannot create the sweep's folder");
        AtomicFile::write(QDir(folder).filePath(QStringLiteral("sweep.json")).toStdString(),
                          grid.toJsonText());
    } catch (const std::exception& e) {
        return fail(FormWording::forForm(QString::fromUtf8(e.what())));
    }
    m_form->saveSettings();
    m_queue.start(folder, std::move(points));
    spdlog::info("sweep of {} runs in {}", m_queue.total(), folder.toStdString());
    emit sweepStarted(folder, m_queue.total());
    startNextQueued();
    return true;
}

void TrainPanel::startNextQueued() {
    if (m_shutDown || m_training || !m_queue.isActive())
        return;
    if (!m_queue.hasNext()) {
        endSweep(false);
        return;
    }
    const SweepPoint& point = m_queue.takeNext();
    launch(point.config, 1); // a sweep's runs train in this process, one after another
    showMessage(tr("Sweep %1").arg(m_queue.progressText()), false);
}

void TrainPanel::endSweep(bool stopped) {
    const int done = m_queue.current();
    QString summary;
    try {
        summary = m_queue.writeSummary();
    } catch (const std::exception& e) {
        summary = tr("(not written: %1)").arg(QString::fromUtf8(e.what()));
    }
    m_queue.finish();
    const QString failed =
        m_queue.failed() > 0 ? tr("; %n failed (see their train.log)", nullptr, m_queue.failed())
                             : QString();
    showMessage(stopped ? tr("Sweep stopped after %1 of %2 runs%3; summary: %4")
                              .arg(done)
                              .arg(m_queue.total())
                              .arg(failed, summary)
                        : tr("Sweep finished: %1 runs%2; summary: %3")
                              .arg(m_queue.total())
                              .arg(failed, summary),
                m_queue.failed() > 0);
    emit sweepFinished(m_queue.folder());
}

void TrainPanel::resumeRun(const QString& runDir) {
    if (m_training || m_shutDown || runDir.isEmpty())
        return;
    const int processes = m_form->processes();
    beginJob(processes);
    m_runDir = runDir;
    try {
        m_monitor->addRecords(RunRecord::load(runDir.toStdString()));
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what()); // the worker reports the real problem, if any
    }
    if (processes > 1) {
        m_processJob->resume(runDir, processes);
        return;
    }
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, runDir] { worker->resume(runDir); }, Qt::QueuedConnection);
}

void TrainPanel::chooseRunToResume() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Resume which run?"),
                                                          QFileInfo(m_runDir).absolutePath());
    if (!dir.isEmpty())
        resumeRun(dir);
}

void TrainPanel::togglePause() {
    if (!m_training || m_shutDown || m_processes > 1)
        return;
    m_paused = !m_paused;
    m_worker->setPaused(m_paused);
    m_pause->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(
        style()->standardIcon(m_paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    m_monitor->setStatusText(m_paused ? tr("paused") : tr("running"));
}

void TrainPanel::stopTraining() {
    if (!m_training || m_shutDown)
        return;
    if (m_processes > 1)
        m_processJob->requestStop(); // every rank stops at the same step
    else
        m_worker->requestStop();
    m_stop->setEnabled(false);
    m_pause->setEnabled(false);
    m_monitor->setStatusText(tr("stopping at the next step…"));
}

void TrainPanel::onStarted(const QString& runDir, int totalSteps, const QStringList& labels) {
    if (m_shutDown)
        return;
    m_runDir = runDir;
    m_monitor->setTotalSteps(totalSteps);
    m_monitor->setStatusText(tr("%1 labels: %2").arg(labels.size()).arg(labels.join(", ")));
    emit trainingStarted(runDir);
}

void TrainPanel::onFinished(const TrainingSummary& summary) {
    if (m_shutDown)
        return; // the window is closing: nobody may act on this run any more
    endJob();
    m_runDir = QString::fromStdString(summary.runDir);
    const QString text =
        tr("Run %1: %2 after %3 steps; best dev accuracy %4, F1 %5 (step %6).")
            .arg(QFileInfo(m_runDir).fileName(), QString::fromStdString(summary.stopReason))
            .arg(summary.steps)
            .arg(100.0 * summary.best.accuracy, 0, 'f', 2)
            .arg(100.0 * summary.best.f1, 0, 'f', 2)
            .arg(summary.best.step);
    showMessage(text, false);
    m_monitor->setStatusText(QString::fromStdString(summary.stopReason));
    emit trainingFinished(m_runDir, summary.completed);
    if (!m_queue.isActive())
        return;
    if (!summary.completed) { // the user stopped it: the queue ends here
        endSweep(true);
        return;
    }
    try {
        m_queue.writeSummary();
    } catch (const std::exception& e) {
        spdlog::warn("sweep summary: {}", e.what()); // written again when the sweep ends
    }
    QTimer::singleShot(0, this, &TrainPanel::startNextQueued); // after trainingFinished's slots
}

void TrainPanel::onFailed(const QString& error) {
    if (m_shutDown)
        return;
    const bool wasTraining = m_training;
    endJob();
    showMessage(tr("Training failed: %1").arg(FormWording::forForm(error)), true);
    m_monitor->setStatusText(tr("failed"));
    if (wasTraining)
        emit trainingFinished(m_runDir, false);
    if (m_queue.isActive()) { // a failed run does not end the sweep
        m_queue.noteFailed();
        QTimer::singleShot(0, this, &TrainPanel::startNextQueued);
    }
}

void TrainPanel::shutdown() {
    if (m_shutDown)
        return;
    m_shutDown = true;
    // Late results must not reach this panel (or, through its signals, the window) while the
    // window is going: cut the connections, join, then drop what the worker had already queued.
    QObject::disconnect(m_worker, nullptr, this, nullptr);
    QObject::disconnect(m_worker, nullptr, m_monitor, nullptr);
    QObject::disconnect(m_processJob, nullptr, this, nullptr);
    QObject::disconnect(m_processJob, nullptr, m_monitor, nullptr);
    m_stall->stop();
    if (m_training)
        spdlog::info("stopping the run in {} (a checkpoint is saved)", m_runDir.toStdString());
    m_processJob->shutdown(); // SIGINT, then waits for the ranks' checkpoint
    m_worker->requestStop(); // the job saves its checkpoint at the next step boundary
    m_thread->quit();
    m_thread->wait();
    QCoreApplication::removePostedEvents(this, QEvent::MetaCall);
    QCoreApplication::removePostedEvents(m_monitor, QEvent::MetaCall);
    m_worker = nullptr; // deleted with the thread's end (QThread::finished -> deleteLater)
    m_training = false;
    m_paused = false;
    for (QPushButton* button : {m_start, m_pause, m_stop, m_resume, m_sweep})
        button->setEnabled(false);
}

void TrainPanel::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!m_training && urls.size() == 1 && urls.first().isLocalFile() &&
        QFileInfo(urls.first().toLocalFile()).isDir())
        event->acceptProposedAction();
}

void TrainPanel::dropEvent(QDropEvent* event) {
    m_form->setModelDir(event->mimeData()->urls().first().toLocalFile());
    event->acceptProposedAction();
}

} // namespace fsllm
