// The studio's sweep queue end to end on a tiny generated model (offscreen): the Sweep dialog
// counts the runs of a grid and refuses bad lists; a queued 2 x 2 grid (causal and decay masks x
// seeds 1 and 2) trains one run after another on the Train tab's worker, the Runs tab lists the
// four runs from the watched sweep folder with their curves, and its table shows each
// configuration's mean ± std over the seeds and, for the decay runs, the difference, 95% CI and
// p-value against the causal runs (the causal rows say "baseline"); summary.md is written.
#include "inspectpanel.h"
#include "livecurveplot.h"
#include "mainwindow.h"
#include "resultstable.h"
#include "runspanel.h"
#include "runstableview.h"
#include "studiotestdata.h"
#include "sweepdialog.h"
#include "tinycheckpoint.h"
#include "trainpanel.h"
#include "trainsettingsform.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace fsllm;

namespace {

constexpr int kSweepTimeoutMs = 240000;

} // namespace

class TestStudioSweep : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model, m_train, m_dev;
    QString path(const QString& name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        testing::isolateSettings(path("settings"), QStringLiteral("tst_studiosweep"));
        m_model = path("model");
        testing::writeTinyModel(m_model, 0.1);
        m_train = path("cue_train.tsv");
        m_dev = path("cue_dev.tsv");
        testing::writeCueTsv(m_train, 48, 1);
        testing::writeCueTsv(m_dev, 24, 2);
    }

    void dialogCountsRuns() {
        TrainingConfig base;
        base.trainFile = m_train.toStdString();
        base.devFile = m_dev.toStdString();
        SweepDialog dialog(base, path("dialog-sweep"));
        dialog.setMasks({"causal", "decay"});
        dialog.setHeads({"fs", "linear"});
        dialog.setLambdas("0.1,0.5");
        dialog.setFromLayers("0");
        dialog.setSeeds("1,2,3");
        // causal: 2 heads x 3 seeds; decay: 2 heads x 2 lambdas x 3 seeds.
        QCOMPARE(dialog.runCount(), 6 + 12);
        QCOMPARE(dialog.grid().seeds, (std::vector<int>{1, 2, 3}));
        dialog.setSeeds("1,two");
        QCOMPARE(dialog.runCount(), 0);
        dialog.setSeeds("1");
        dialog.setMasks({});
        QCOMPARE(dialog.runCount(), 0);
    }

    void queuedGridFillsTheRunsTable() {
        MainWindow window;
        window.show();
        QSignalSpy opened(window.inspectPanel(), &InspectPanel::modelOpened);
        window.openModel(m_model);
        QVERIFY(opened.wait(60000));
        TrainPanel* train = window.trainPanel();
        testing::configureShortRun(train->form(), m_model, m_train, m_dev, QString(), 1);
        train->form()->setThreads(1);
        SweepGrid grid;
        grid.masks = {MaskMode::Causal, MaskMode::Decay};
        grid.lambdas = {0.5};
        grid.seeds = {1, 2};
        const QString folder = path("sweep");
        QSignalSpy started(train, &TrainPanel::trainingStarted);
        QSignalSpy finished(train, &TrainPanel::sweepFinished);
        QString error;
        QVERIFY2(train->startSweep(grid, folder, &error), qPrintable(error));
        QCOMPARE(train->sweepQueue().total(), 4);
        QVERIFY(train->messageText().contains(QStringLiteral("run 1/4: cue-causal-fs-s1")));
        QVERIFY(!train->startSweep(grid, folder, &error)); // one queue at a time
        QVERIFY(finished.wait(kSweepTimeoutMs));
        QCOMPARE(started.size(), 4); // one after another on the one worker
        QVERIFY2(train->messageText().contains(QStringLiteral("Sweep finished: 4 runs")),
                 qPrintable(train->messageText()));
        QVERIFY(QFileInfo::exists(folder + "/summary.md"));
        QVERIFY(QFileInfo::exists(folder + "/summary.csv"));

        RunsPanel* runs = window.runsPanel();
        const QStringList names = {"cue-causal-fs-s1", "cue-causal-fs-s2", "cue-decay0.5-fs-s1",
                                   "cue-decay0.5-fs-s2"};
        QTRY_VERIFY_WITH_TIMEOUT(runs->checkedRunDirs().size() >= 4 && !runs->isLoading(), 10000);
        for (const QString& name : names)
            QTRY_VERIFY_WITH_TIMEOUT(
                runs->curvePlots().trainLoss->seriesNames().contains(name + "/train loss"), 10000);
        RunsTableView* table = runs->tableView();
        const QString mean = ResultsTable::headers()[ResultsTable::SeedMean];
        const QString delta = ResultsTable::headers()[ResultsTable::Difference];
        const QString ci = ResultsTable::headers()[ResultsTable::Interval];
        const QString p = ResultsTable::headers()[ResultsTable::PValue];
        QTRY_VERIFY_WITH_TIMEOUT(table->text(names[2], p) != QStringLiteral("-") &&
                                     !table->text(names[2], p).isEmpty(),
                                 10000);
        for (const QString& name : names)
            QVERIFY2(table->text(name, mean).contains(QStringLiteral(" ± ")) &&
                         table->text(name, mean).endsWith(QStringLiteral("(n=2)")),
                     qPrintable(name + ": " + table->text(name, mean)));
        QCOMPARE(table->text(names[0], delta), QStringLiteral("baseline"));
        QCOMPARE(table->text(names[1], p), QStringLiteral("-"));
        QCOMPARE(table->text(names[2], p), table->text(names[3], p)); // one test per configuration
        QVERIFY(table->text(names[3], ci).startsWith(QLatin1Char('[')));
        bool ok = false;
        const double pValue = table->text(names[2], p).toDouble(&ok);
        QVERIFY2(table->text(names[2], p) == QStringLiteral("<0.001") ||
                     (ok && pValue > 0.0 && pValue <= 1.0),
                 qPrintable(table->text(names[2], p)));
        // The exported table carries the same columns.
        QVERIFY2(runs->exportTable(path("results.md"), &error), qPrintable(error));
        QFile exported(path("results.md"));
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(exported.readAll());
        QVERIFY(text.contains(QStringLiteral("| dev mean ± std (%) | Δ vs causal (%) |")));
        QVERIFY(text.contains(QStringLiteral("| baseline |")));
    }
};

QTEST_MAIN(TestStudioSweep)
#include "tst_studiosweep.moc"
