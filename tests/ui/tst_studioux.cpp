// The studio's traps of issue 12, offscreen, each with the check that would have caught it:
// the wheel over the settings form scrolls the form and changes no field (defect 2); each run
// keeps its colour as runs are added or unchecked (3); Start is blocked, before any run folder
// exists, when the model failed to open or the settings are bad, and a failed run is listed as
// failed (4); a model that failed to open is not a recent model (5); Ctrl+E works in a text
// field, the window fits 1024x640 with long status texts, errors name the form's fields and new
// runs go to the XDG data folder (6).
#include "fakerunfolder.h"
#include "inspectpanel.h"
#include "livecurveplot.h"
#include "mainwindow.h"
#include "resourcelocator.h"
#include "runspanel.h"
#include "runstableview.h"
#include "studiotestdata.h"
#include "tinycheckpoint.h"
#include "trainingmonitor.h"
#include "trainingworker.h"
#include "trainpanel.h"
#include "trainsettingsform.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest/qtestspontaneevent.h>
#include <QtTest>

using namespace fsllm;

namespace {

// A wheel notch over `widget`, delivered as the window system does (spontaneous, so Qt passes
// an ignored wheel event on to the parents).
void wheel(QWidget* widget, int delta) {
    const QPointF local(widget->width() / 2.0, widget->height() / 2.0);
    QWheelEvent event(local, widget->mapToGlobal(local), QPoint(), QPoint(0, delta), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QSpontaneKeyEvent::setSpontaneous(&event);
    QApplication::sendEvent(widget, &event);
}

QColor penColor(const LiveCurvePlot* plot, const QString& series) {
    const QCPGraph* graph = plot->smoothedGraph(series);
    return graph ? graph->pen().color() : QColor();
}

} // namespace

class TestStudioUx : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model, m_train, m_dev;

    QString path(const QString& name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        testing::isolateSettings(path("settings"), QStringLiteral("tst_studioux"));
        m_model = path("model");
        testing::writeTinyModel(m_model, TinyCheckpointOptions().qkStd);
        m_train = path("train.tsv");
        m_dev = path("dev.tsv");
        testing::writeCueTsv(m_train, 48, 1);
        testing::writeCueTsv(m_dev, 16, 2);
    }

    // Defect 2: Mask went decay -> causal while the user scrolled to LoRA.
    void wheelScrollsTheFormNotItsFields() {
        TrainPanel panel;
        panel.resize(1024, 420);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto* mask = panel.findChild<QComboBox*>(QStringLiteral("mask"));
        auto* epochs = panel.findChild<QSpinBox*>(QStringLiteral("epochs"));
        QVERIFY(mask && epochs);
        QScrollArea* scroll = nullptr;
        for (QScrollArea* area : panel.findChildren<QScrollArea*>())
            if (area->isAncestorOf(mask))
                scroll = area;
        QVERIFY(scroll);
        QVERIFY(scroll->verticalScrollBar()->maximum() > 0); // the form is taller than the view
        QCOMPARE(mask->focusPolicy(), Qt::StrongFocus);
        scroll->ensureWidgetVisible(mask);
        const int maskIndex = mask->currentIndex();
        const int epochValue = epochs->value();
        const int before = scroll->verticalScrollBar()->value();
        wheel(mask, -120); // scroll down over the combo box
        QCOMPARE(mask->currentIndex(), maskIndex);
        QVERIFY2(
            scroll->verticalScrollBar()->value() > before,
            qPrintable(QString("%1 -> %2").arg(before).arg(scroll->verticalScrollBar()->value())));
        scroll->ensureWidgetVisible(epochs);
        wheel(epochs, 120);
        QCOMPARE(epochs->value(), epochValue);
        // With the keyboard focus the field takes the wheel, as a user expects.
        panel.activateWindow();
        mask->setFocus();
        QTRY_VERIFY(mask->hasFocus());
        wheel(mask, -120);
        QVERIFY(mask->currentIndex() != maskIndex);
    }

    // Defect 3: a run went orange -> red -> purple as runs were added.
    void runColoursStayWhenRunsComeAndGo() {
        testing::writeFakeRun(path("colours/b"), MaskSpec{MaskMode::Decay, 0.5}, 0.7);
        testing::writeFakeRun(path("colours/c"), MaskSpec{MaskMode::Causal, 0.0}, 0.6);
        RunsPanel panel;
        panel.show();
        QSignalSpy changed(&panel, &RunsPanel::runsChanged);
        panel.setRunsFolder(path("colours"));
        QVERIFY(changed.wait(10000));
        const LiveCurvePlot* loss = panel.curvePlots().trainLoss;
        const QColor b = penColor(loss, "b/train loss");
        const QColor c = penColor(loss, "c/train loss");
        QVERIFY(b.isValid() && c.isValid() && b != c);
        QCOMPARE(panel.runColor(path("colours/b")), b);
        // A run that sorts first arrives: the others keep their colours.
        testing::writeFakeRun(path("colours/a"), MaskSpec{MaskMode::Bidirectional, 0.0}, 0.8);
        panel.refresh();
        QVERIFY(changed.wait(10000));
        QCOMPARE(panel.runCount(), 3);
        panel.setChecked(path("colours/a"), true); // new runs of a rescan come unchecked
        QCOMPARE(penColor(loss, "b/train loss"), b);
        QCOMPARE(penColor(loss, "c/train loss"), c);
        const QColor a = penColor(loss, "a/train loss");
        QVERIFY(a.isValid() && a != b && a != c);
        // Unchecking one run recolours nobody.
        panel.setChecked(path("colours/a"), false);
        QCOMPARE(penColor(loss, "b/train loss"), b);
        QCOMPARE(penColor(loss, "c/train loss"), c);
        QCOMPARE(penColor(panel.curvePlots().scores, "b/accuracy"), b);
    }

    // Defect 4: a failed run was listed as a row of "-"; now its status says failed.
    void failedRunIsListedAsFailed() {
        testing::writeFakeRun(path("status/good"), MaskSpec{MaskMode::Decay, 0.5}, 0.7);
        QDir().mkpath(path("status/bad"));
        {
            TrainingConfig config;
            config.modelDir = m_model.toStdString();
            config.trainFile = "missing.tsv";
            config.devFile = "missing.tsv";
            config.outDir = path("status/bad").toStdString();
            QFile json(path("status/bad/run.json"));
            QVERIFY(json.open(QIODevice::WriteOnly));
            json.write(QByteArray::fromStdString(config.toJsonText()));
            QFile log(path("status/bad/train.log"));
            QVERIFY(log.open(QIODevice::WriteOnly));
            log.write("2026-01-01 10:00:00  reading train data missing.tsv\n"
                      "2026-01-01 10:00:00  error: missing.tsv: cannot open the file\n");
        }
        QFile goodLog(path("status/good/train.log"));
        QVERIFY(goodLog.open(QIODevice::WriteOnly));
        goodLog.write("2026-01-01 10:00:00  training 4 optimizer steps (1 epochs x 4)\n"
                      "2026-01-01 10:00:09  finished: completed after 4 steps, 9 s\n");
        goodLog.close();
        RunsPanel panel;
        panel.show();
        QSignalSpy changed(&panel, &RunsPanel::runsChanged);
        panel.setRunsFolder(path("status"));
        QVERIFY(changed.wait(10000));
        QCOMPARE(panel.runCount(), 2);
        QCOMPARE(panel.status(path("status/bad")).state, RunState::Failed);
        QVERIFY(panel.status(path("status/bad")).detail.contains("missing.tsv"));
        QCOMPARE(panel.status(path("status/good")).state, RunState::Completed);
        const RunsTableView* table = panel.tableView();
        QCOMPARE(table->text("bad", "Status"), QStringLiteral("failed"));
        QCOMPARE(table->text("good", "Status"), QStringLiteral("completed"));
        const auto items = panel.findChild<QListWidget*>()->findItems("bad", Qt::MatchStartsWith);
        QCOMPARE(items.size(), 1);
        QVERIFY(items[0]->text().contains("failed"));
        // The filter hides runs (and their curves and rows) without unchecking them.
        panel.setFilter(QStringLiteral("failed"));
        QCOMPARE(panel.shownRunDirs(), QStringList{QDir(path("status/bad")).absolutePath()});
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(panel.checkedRunDirs().size(), 2);
        panel.setFilter(QStringLiteral("decay completed"));
        QCOMPARE(panel.shownRunDirs(), QStringList{QDir(path("status/good")).absolutePath()});
        QVERIFY(panel.curvePlots().trainLoss->seriesNames().contains("good/train loss"));
        panel.setFilter(QString());
        QCOMPARE(panel.shownRunDirs().size(), 2);
        QCOMPARE(table->rowCount(), 2);
        // The hyper-parameter columns sort as numbers.
        QVERIFY(RunsTableView::headers().contains("lr"));
        QVERIFY(RunsTableView::headers().contains("LoRA r"));
    }

    // Defects 4 and 5: a model that failed to open blocks Start and is no recent model.
    void failedModelBlocksStartAndIsNotRecent() {
        const QString broken = path("broken-model");
        QDir().mkpath(broken);
        QFile config(broken + "/config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{ not json");
        config.close();
        MainWindow window;
        window.show();
        QSignalSpy failed(window.inspectPanel(), &InspectPanel::modelFailed);
        TrainPanel* train = window.trainPanel();
        testing::configureShortRun(train->form(), broken, m_train, m_dev, path("runs/never"), 1);
        QVERIFY(failed.wait(60000));
        QVERIFY(!train->canStart());
        QVERIFY(train->startBlocker().contains("broken-model"));
        bool startEnabled = true;
        for (QPushButton* button : train->findChildren<QPushButton*>())
            if (button->text() == QLatin1String("Start"))
                startEnabled = button->isEnabled();
        QVERIFY(!startEnabled);
        train->startTraining(); // e.g. F5: refused with a message, no folder
        QVERIFY(!train->isTraining());
        QVERIFY(train->messageText().contains("Cannot start"));
        QTest::qWait(200);
        QVERIFY(!QFileInfo::exists(path("runs/never")));
        QVERIFY(!QSettings()
                     .value("recentModels")
                     .toStringList()
                     .contains(QDir(broken).absolutePath()));
        // The good model opens, Start is enabled again and the model becomes recent.
        QSignalSpy opened(window.inspectPanel(), &InspectPanel::modelOpened);
        window.openModel(m_model);
        QVERIFY(opened.wait(60000));
        QTRY_VERIFY(train->canStart());
        QCOMPARE(QSettings().value("recentModels").toStringList().value(0),
                 QDir(m_model).absolutePath());
    }

    // Defects 4 and 6: the worker checks before it creates a folder; errors name form fields.
    void badSettingsFailBeforeAnyRunFolder() {
        TrainingWorker worker;
        QSignalSpy failed(&worker, &TrainingWorker::failed);
        TrainingConfig config;
        config.modelDir = m_model.toStdString();
        config.trainFile = path("no-such.tsv").toStdString();
        config.devFile = m_dev.toStdString();
        config.outDir = path("runs/nofolder").toStdString();
        worker.start(config); // blocking; fails fast
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed[0][0].toString().contains("no-such.tsv"));
        QVERIFY(!QFileInfo::exists(path("runs/nofolder")));
        // A folder that holds a run: the message names the form's field and button.
        testing::writeFakeRun(path("runs/taken"), MaskSpec{MaskMode::Decay, 0.5}, 0.5);
        config.trainFile = m_train.toStdString();
        config.outDir = path("runs/taken").toStdString();
        worker.start(config);
        QCOMPARE(failed.size(), 2);
        const QString message = failed[1][0].toString();
        QVERIFY2(message.contains("Run folder") && message.contains("Resume run"),
                 qPrintable(message));
        QVERIFY2(!message.contains("--"), qPrintable(message));
        config.outDir.clear();
        worker.start(config);
        QCOMPARE(failed.size(), 3);
        QVERIFY2(failed[2][0].toString().startsWith("Run folder:"),
                 qPrintable(failed[2][0].toString()));
        QVERIFY(!failed[2][0].toString().contains("--out"));
    }

    // Defect 6: Ctrl+E did nothing while a text field had the focus.
    void ctrlEWorksInATextField() {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.activateWindow();
        QTRY_VERIFY(window.isActiveWindow());
        QAction* exportPlots = window.exportPlotsAction();
        QVERIFY(exportPlots);
        QCOMPARE(exportPlots->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
        QObject::disconnect(exportPlots, &QAction::triggered, nullptr, nullptr); // no dialog
        QSignalSpy triggered(exportPlots, &QAction::triggered);
        window.setCurrentTab(MainWindow::Tab::Inspect);
        auto* sentence = window.inspectPanel()->findChild<QLineEdit*>();
        QVERIFY(sentence);
        sentence->setFocus();
        QTRY_VERIFY(sentence->hasFocus());
        QTest::keyClick(sentence, Qt::Key_E, Qt::ControlModifier);
        QCOMPARE(triggered.size(), 1);
        window.setCurrentTab(MainWindow::Tab::Train);
        auto* epochs = window.trainPanel()->findChild<QSpinBox*>(QStringLiteral("epochs"));
        epochs->setFocus();
        QTRY_VERIFY(epochs->hasFocus());
        QTest::keyClick(epochs, Qt::Key_E, Qt::ControlModifier);
        QCOMPARE(triggered.size(), 2);
    }

    // Defect 6: minimum window 1047x718; status text cut off.
    void windowFits1024x640WithLongStatusTexts() {
        MainWindow window;
        const QString longText =
            QStringLiteral("12 labels: ") + QString("adventure, ").repeated(40);
        window.trainPanel()->monitor()->setStatusText(longText);
        window.resize(1024, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QSize minimum = window.minimumSizeHint();
        if (minimum.width() > 1024 || minimum.height() > 640) { // name the widget that widens it
            for (QWidget* child : window.findChildren<QWidget*>()) {
                const QSize hint = child->minimumSizeHint().expandedTo(child->minimumSize());
                if (hint.width() > 700 || hint.height() > 450)
                    qWarning("%s %s: %dx%d", child->metaObject()->className(),
                             qPrintable(child->objectName()), hint.width(), hint.height());
            }
        }
        QVERIFY2(minimum.width() <= 1024 && minimum.height() <= 640,
                 qPrintable(QString("%1x%2").arg(minimum.width()).arg(minimum.height())));
        QCOMPARE(window.size(), QSize(1024, 640));
        QCOMPARE(window.trainPanel()->monitor()->statusText(), longText); // whole, in its tooltip
        for (MainWindow::Tab tab :
             {MainWindow::Tab::Inspect, MainWindow::Tab::Runs, MainWindow::Tab::Train}) {
            window.setCurrentTab(tab);
            QTest::qWait(20);
            QCOMPARE(window.size(), QSize(1024, 640)); // no tab pushes the window larger
        }
        window.setCurrentTab(MainWindow::Tab::Train);
        window.openModel(m_model); // the status bar gets the long model path
        QVERIFY(window.modelStatusText().contains(m_model));
        QTest::qWait(20);
        QCOMPARE(window.size(), QSize(1024, 640));
    }

    // Defect 6: runs lived in the config folder.
    void newRunsGoToTheDataFolder() {
        const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QVERIFY(ResourceLocator::runsRoot().startsWith(data));
        const QString config = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
        QVERIFY(!ResourceLocator::runsRoot().startsWith(config) || config == data);
        TrainSettingsForm form;
        QVERIFY(form.autoRunFolder(QDateTime::currentDateTime()).startsWith(data));
    }

    // Issue 9: the Train form says what a run will need before it starts, and warns when the
    // machine's RAM is not enough.
    void trainFormShowsTheMemoryARunNeeds() {
        TrainSettingsForm form;
        auto* memory = form.findChild<QLabel*>(QStringLiteral("memoryEstimate"));
        QVERIFY(memory);
        QCOMPARE(memory->text(), QStringLiteral("-"));
        form.setModelDir(m_model);
        QVERIFY2(memory->text().contains(QStringLiteral("for training")),
                 qPrintable(memory->text()));
        const QString small = memory->text();
        form.setBatchSize(4096);
        QSpinBox* maxLength = nullptr;
        for (QSpinBox* box : form.findChildren<QSpinBox*>())
            if (box->maximum() == 32768)
                maxLength = box;
        QVERIFY(maxLength);
        maxLength->setValue(32768); // 134M tokens per step: no machine has that much RAM
        QVERIFY(memory->text() != small);
        QVERIFY2(memory->text().contains(QStringLiteral("more than this machine")),
                 qPrintable(memory->text()));
        auto* checkpointing = form.findChild<QCheckBox*>(QStringLiteral("gradientCheckpointing"));
        QVERIFY(checkpointing);
        const QString plain = memory->text();
        checkpointing->setChecked(true);
        QVERIFY(form.config().gradientCheckpointing);
        QVERIFY(memory->text() != plain); // fewer activations kept
    }

    // Issue 11: where the mask starts, set in the form, reaches the run's config and its folder
    // name; a causal mask has no first layer.
    void trainFormSetsWhereTheMaskStarts() {
        TrainSettingsForm form;
        auto* fromLayer = form.findChild<QSpinBox*>(QStringLiteral("maskFromLayer"));
        QVERIFY(fromLayer);
        MaskSpec mask{MaskMode::Decay, 0.5};
        mask.fromLayer = 2;
        form.setMask(mask);
        QCOMPARE(fromLayer->value(), 2);
        QVERIFY(fromLayer->isEnabled());
        QCOMPARE(form.config().mask.fromLayer, 2);
        QVERIFY2(form.autoRunFolder(QDateTime::currentDateTime()).endsWith("decay0.5-from2"),
                 qPrintable(form.autoRunFolder(QDateTime::currentDateTime())));
        form.setMask(MaskSpec{MaskMode::Causal, 0.0});
        QVERIFY(!fromLayer->isEnabled());
        QCOMPARE(form.config().mask.fromLayer, 0);
    }
};

QTEST_MAIN(TestStudioUx)
#include "tst_studioux.moc"
