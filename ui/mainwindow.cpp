#include "mainwindow.h"

#include "backgroundcall.h"
#include "elidedlabel.h"
#include "exportdialog.h"
#include "inspectpanel.h"
#include "logpanel.h"
#include "metatypes.h"
#include "modelloadindicator.h"
#include "qtlogsink.h"
#include "recentfiles.h"
#include "reportwriter.h"
#include "resourcelocator.h"
#include "runrecord.h"
#include "runspanel.h"
#include "stallmeter.h"
#include "textfieldshortcuts.h"
#include "trainpanel.h"
#include "trainsettingsform.h"

#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

// resources/studio.qrc is compiled into this static library: register it explicitly.
static void initStudioResources() {
    Q_INIT_RESOURCE(studio);
}

namespace fsllm {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    initStudioResources();
    registerStudioMetaTypes();
    setWindowTitle(tr("FS-LLM Studio"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/fsllm-studio.svg")));

    m_train = new TrainPanel;
    m_inspect = new InspectPanel;
    m_runs = new RunsPanel;
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_train, tr("Train"));
    m_tabs->addTab(m_inspect, tr("Inspect"));
    m_tabs->addTab(m_runs, tr("Runs"));
    setCentralWidget(m_tabs);

    m_log = new LogPanel;
    m_logDock = new QDockWidget(tr("Log"), this);
    m_logDock->setObjectName(QStringLiteral("logDock"));
    m_logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    m_sink = std::make_shared<QtLogSink>();
    connect(m_sink.get(), &QtLogSink::messageLogged, m_log, &LogPanel::appendLine,
            Qt::QueuedConnection);
    QtLogSink::attachToDefaultLogger(m_sink);

    buildMenus();
    buildStatusBar();
    wireParts();
    m_train->form()->loadSettings();
    m_runs->refresh();

    const QSettings settings;
    // The default size, within the screen (a 1280x800 screen must show the whole window).
    QSize size(1400, 900);
    if (const QScreen* screen = this->screen())
        size = size.boundedTo(screen->availableGeometry().size() * 0.95);
    resize(size);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray()))
        resizeDocks({m_logDock}, {kLogDockHeight}, Qt::Vertical);
}

MainWindow::~MainWindow() {
    shutdownWorkers();
    QtLogSink::detachFromDefaultLogger(m_sink);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open model…"), this, &MainWindow::chooseModel);
    open->setShortcut(QKeySequence::Open);
    QMenu* recent = file->addMenu(tr("Recent &models"));
    m_recent = new RecentFiles(QStringLiteral("recentModels"), recent, this);
    connect(m_recent, &RecentFiles::chosen, this, &MainWindow::openModel);
    file->addAction(tr("Open &default model"), this, &MainWindow::openDefaultModel);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    QAction* start = training->addAction(tr("&Start"), m_train, &TrainPanel::startTraining);
    start->setShortcut(QKeySequence(Qt::Key_F5));
    QAction* pause = training->addAction(tr("&Pause / resume"), m_train, &TrainPanel::togglePause);
    pause->setShortcut(QKeySequence(Qt::Key_F6));
    QAction* stop =
        training->addAction(tr("S&top (keeps a checkpoint)"), m_train, &TrainPanel::stopTraining);
    stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));

    QMenu* exportMenu = menuBar()->addMenu(tr("&Export"));
    QAction* plots =
        exportMenu->addAction(tr("&Plots of this tab…"), this, &MainWindow::exportPlots);
    plots->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction = plots;
    auto* textFields = new TextFieldShortcuts(this); // Ctrl+E also in a text field
    textFields->add(plots);
    exportMenu->addAction(tr("&Report of checked runs…"), this, &MainWindow::writeReport);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QString tabNames[] = {tr("&Train tab"), tr("&Inspect tab"), tr("&Runs tab")};
    for (int i = 0; i < 3; ++i) {
        QAction* tab = view->addAction(tabNames[i], this, [this, i] { setCurrentTab(Tab(i)); });
        tab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    view->addAction(m_logDock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About FS-LLM Studio"),
                           tr("<b>FS-LLM Studio</b><p>Turns LLaMA-family decoders into "
                              "classifiers with decay-weighted global attention (FS), label "
                              "supervision (LS) and LoRA.</p>"));
    });
}

void MainWindow::buildStatusBar() {
    m_modelLabel = new ElidedLabel; // long paths never widen the window
    m_modelLabel->setFullText(tr("no model"));
    m_stallLabel = new QLabel(tr("max stall – ms"));
    m_stallLabel->setToolTip(tr("Longest GUI event-loop stall during the current or last "
                                "training run"));
    m_loadIndicator = new ModelLoadIndicator;
    statusBar()->addWidget(m_modelLabel, 1);
    statusBar()->addPermanentWidget(m_loadIndicator);
    statusBar()->addPermanentWidget(m_stallLabel);
}

void MainWindow::wireParts() {
    connect(m_train, &TrainPanel::modelDirChanged, this, &MainWindow::onModelChosen);
    connect(m_inspect, &InspectPanel::modelOpened, this, &MainWindow::onModelOpened);
    connect(m_inspect, &InspectPanel::loadProgress, m_loadIndicator,
            [this](const QString&, qint64 done, qint64 total) {
                m_loadIndicator->setProgress(done, total);
            });
    connect(m_inspect, &InspectPanel::modelOpened, m_loadIndicator, &ModelLoadIndicator::finish);
    connect(m_inspect, &InspectPanel::modelFailed, m_loadIndicator, &ModelLoadIndicator::finish);
    connect(m_loadIndicator, &ModelLoadIndicator::cancelRequested, m_inspect,
            &InspectPanel::cancelOpen);
    connect(m_inspect, &InspectPanel::modelFailed, m_train, &TrainPanel::showModelError);
    connect(m_inspect, &InspectPanel::modelFailed, this, [this](const QString&, const QString& e) {
        m_modelLabel->setFullText(tr("model failed to open: %1").arg(e));
    });
    connect(m_train->stallMeter(), &StallMeter::maxStallChanged, this,
            [this](double ms) { m_stallLabel->setText(tr("max stall %1 ms").arg(ms, 0, 'f', 0)); });
    connect(m_train, &TrainPanel::trainingStarted, this, [this](const QString& runDir) {
        statusBar()->showMessage(tr("Training into %1").arg(runDir), 5000);
        m_runs->setActiveRun(runDir); // listed as running
    });
    connect(m_train, &TrainPanel::trainingFinished, this, &MainWindow::onTrainingFinished);
    connect(m_train, &TrainPanel::sweepStarted, this, [this](const QString& folder, int runs) {
        m_runs->watchFolder(folder); // its runs are listed, checked, as they start
        statusBar()->showMessage(tr("Sweep of %n run(s) into %1", nullptr, runs).arg(folder),
                                 5000);
    });
    connect(m_train, &TrainPanel::errorOccurred, this,
            [this](const QString& text) { statusBar()->showMessage(text, 10000); });
    connect(m_runs, &RunsPanel::inspectRunRequested, this, &MainWindow::inspectRun);
}

void MainWindow::setCurrentTab(Tab tab) {
    m_tabs->setCurrentIndex(int(tab));
}

void MainWindow::openModel(const QString& dir) {
    m_train->form()->setModelDir(dir); // emits modelDirChanged -> onModelChosen
}

void MainWindow::onModelChosen(const QString& dir) {
    if (dir.isEmpty() || m_shutDown)
        return;
    m_modelDir = QDir(dir).absolutePath(); // into Recent models once it opened
    m_modelLabel->setFullText(tr("opening %1 …").arg(m_modelDir));
    m_train->showModelLoading(m_modelDir);
    m_loadIndicator->start();
    m_inspect->openModel(m_modelDir, std::exchange(m_pendingAdapter, QString()));
    spdlog::info("model: {}", m_modelDir.toStdString());
}

void MainWindow::onModelOpened(const QString& dir, const ModelSummary& summary) {
    spdlog::info("model opened: {}", dir.toStdString());
    m_recent->add(dir);
    m_train->showModelSummary(summary);
    m_modelLabel->setFullText(tr("%1 — %2 layers, d=%3, inspected in %4 on %5")
                                  .arg(QFileInfo(dir).fileName())
                                  .arg(summary.layers)
                                  .arg(summary.hiddenSize)
                                  .arg(QString::fromStdString(summary.computeDtype),
                                       QString::fromStdString(summary.device)));
}

void MainWindow::openDefaultModel() {
    m_modelLabel->setFullText(tr("preparing the default model …"));
    BackgroundCall::run(
        this,
        [] {
            QString error;
            const QString dir = ResourceLocator::ensureDefaultModel(&error);
            return qMakePair(dir, error);
        },
        [this](const QPair<QString, QString>& result) {
            if (result.first.isEmpty()) {
                spdlog::error("{}", result.second.toStdString());
                m_modelLabel->setFullText(result.second);
                m_train->showModelError(tr("the default model"), result.second);
                return;
            }
            openModel(result.first);
        });
}

void MainWindow::setDataFiles(const QString& trainFile, const QString& devFile) {
    m_train->form()->setTrainFile(trainFile);
    m_train->form()->setDevFile(devFile);
}

void MainWindow::setInspectAdapter(const QString& runOrAdapterDir) {
    if (m_shutDown)
        return;
    if (m_modelDir.isEmpty())
        m_pendingAdapter = runOrAdapterDir;
    else
        m_inspect->setAdapter(runOrAdapterDir);
}

QString MainWindow::modelStatusText() const {
    return m_modelLabel->fullText();
}

double MainWindow::maxStallMs() const {
    return m_train->stallMeter()->maxStallMs();
}

void MainWindow::onTrainingFinished(const QString& runDir, bool completed) {
    if (m_shutDown)
        return;
    statusBar()->showMessage(completed ? tr("Training finished: %1").arg(runDir)
                                       : tr("Training stopped: %1").arg(runDir),
                             10000);
    m_runs->setActiveRun(QString()); // rereads the run: completed, stopped or failed
    if (runDir.isEmpty() || !QFileInfo::exists(runDir + QStringLiteral("/run.json")))
        return;
    m_runs->addRunFolder(runDir);
    if (QFileInfo::exists(runDir + QStringLiteral("/best")))
        m_inspect->setAdapter(runDir); // the new classifier on the Inspect tab
}

void MainWindow::inspectRun(const QString& runDir) {
    if (m_shutDown)
        return;
    QString model = m_modelDir;
    try {
        const QString runModel =
            QString::fromStdString(RunRecord::load(runDir.toStdString()).config.modelDir);
        if (ResourceLocator::isModelDir(runModel))
            model = runModel;
    } catch (const std::exception& e) {
        spdlog::warn("{}", e.what());
    }
    if (model != m_modelDir)
        m_train->form()->setModelDir(model);
    m_inspect->openModel(model, runDir);
    setCurrentTab(Tab::Inspect);
}

void MainWindow::chooseModel() {
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Open a checkpoint folder"), m_modelDir);
    if (!dir.isEmpty())
        openModel(dir);
}

QList<NamedPlot> MainWindow::currentPlots() const {
    QWidget* current = m_tabs->currentWidget();
    if (current == m_train)
        return m_train->plots();
    if (current == m_inspect)
        return m_inspect->plots();
    return m_runs->plots();
}

void MainWindow::exportPlots() {
    ExportDialog::run(currentPlots(), this);
}

void MainWindow::writeReport() {
    const QStringList runs = m_runs->checkedRunDirs();
    if (runs.isEmpty()) {
        QMessageBox::information(this, tr("Report"), tr("Check some runs on the Runs tab first."));
        return;
    }
    const QString out = QFileDialog::getExistingDirectory(this, tr("Write the report into"));
    if (out.isEmpty())
        return;
    ReportWriter writer;
    if (writer.run(runs, out))
        QMessageBox::information(
            this, tr("Report"),
            tr("Wrote %n file(s) to %1.", nullptr, int(writer.writtenFiles().size())).arg(out));
    else
        QMessageBox::warning(this, tr("Report failed"), writer.errorString());
}

void MainWindow::shutdownWorkers() {
    if (m_shutDown)
        return;
    m_shutDown = true;
    // Nothing the panels emit from now on (a run that ends while stopping, a model that opens
    // late) may reach this window: it would act on workers that are being joined and deleted.
    QObject::disconnect(m_train, nullptr, this, nullptr);
    QObject::disconnect(m_inspect, nullptr, this, nullptr);
    QObject::disconnect(m_inspect, nullptr, m_train, nullptr);
    QObject::disconnect(m_runs, nullptr, this, nullptr);
    m_train->form()->saveSettings();
    m_train->shutdown();   // stops the job (it saves its checkpoint) and joins its thread
    m_inspect->shutdown(); // then the inspector, which nothing can reach any more
    QCoreApplication::removePostedEvents(this, QEvent::MetaCall);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    shutdownWorkers();
    event->accept();
}

} // namespace fsllm
