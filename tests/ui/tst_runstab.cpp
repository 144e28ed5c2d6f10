// The Runs tab's run management, per-class view and live curves (issue 12, "capabilities users
// of TensorBoard / W&B expect"): delete (to the trash, confirmed, refused while a job holds the
// run's lock), rename (atomic, refused for taken or invalid names and running runs, colour kept),
// tags in tags.json (run.json untouched) matched by the filter; the confusion matrix and
// per-class scores of dev and of an evaluated file, exported; curves of several runs written by
// "other processes" (this test appending to metrics.jsonl) growing live, new runs of a sweep
// appearing, and a watched folder outside the runs folder. Offscreen.
#include "classreportview.h"
#include "confusionmatrixplot.h"
#include "exportdialog.h"
#include "fakerunfolder.h"
#include "livecurveplot.h"
#include "runcolorbook.h"
#include "runfolderactions.h"
#include "runfolderreader.h"
#include "runjsonrelocation.h"
#include "runlist.h"
#include "runlivefeed.h"
#include "runlock.h"
#include "runsoverview.h"
#include "runspanel.h"

#include <QAction>
#include <QApplication>
#include <QImage>
#include <QPushButton>
#include <QDirIterator>
#include <QListWidget>
#include <QMessageBox>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace fsllm;

namespace {

QColor penColor(const LiveCurvePlot* plot, const QString& series) {
    const QCPGraph* graph = plot->smoothedGraph(series);
    return graph ? graph->pen().color() : QColor();
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void appendSteps(const QString& runDir, int from, int to) {
    QFile metrics(runDir + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::Append));
    for (int step = from; step <= to; ++step) {
        StepRecord s;
        s.step = step;
        s.trainLoss = 1.0 / step;
        s.wallSeconds = step;
        metrics.write(QByteArray::fromStdString(s.toJsonLine()));
    }
}

// The hand-computed case of tst_runfiles: 7 examples over neg, neu, pos.
const char* const kDevPredictions = "line\tgold\tpredicted\tp_neg\tp_neu\tp_pos\n"
                                    "2\tneg\tneg\t0.8\t0.1\t0.1\n3\tneg\tpos\t0.2\t0.1\t0.7\n"
                                    "4\tneu\tneu\t0.1\t0.8\t0.1\n5\tpos\tpos\t0.1\t0.1\t0.8\n"
                                    "6\tpos\tneg\t0.5\t0.2\t0.3\n7\tpos\tpos\t0.1\t0.2\t0.7\n"
                                    "8\tneu\tpos\t0.1\t0.3\t0.6\n";

} // namespace

class TestRunsTab : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.filePath(name); }

    // A panel on `folder`, loaded.
    void open(RunsPanel& panel, const QString& folder) {
        QSignalSpy changed(&panel, &RunsPanel::runsChanged);
        panel.setRunsFolder(folder);
        QVERIFY(changed.wait(10000));
        QTRY_VERIFY(!panel.isLoading());
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        // The trash goes to this test's folder (Qt uses $HOME's data folder when the run is on
        // the same disk as $HOME).
        qputenv("HOME", m_dir.path().toUtf8());
        qputenv("XDG_DATA_HOME", path("data").toUtf8());
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(QDir().mkpath(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, path("settings"));
        QCoreApplication::setOrganizationName(QStringLiteral("FS-LLM Studio Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_runstab"));
    }

    void tagsRenameAndDelete() {
        const QString root = path("manage");
        testing::writeFakeRun(root + "/alpha", MaskSpec{MaskMode::Decay, 0.5}, 0.7);
        testing::writeFakeRun(root + "/beta", MaskSpec{MaskMode::Causal, 0.0}, 0.6);
        testing::writeFakeRun(root + "/gamma", MaskSpec{MaskMode::Bidirectional, 0.0}, 0.8);
        RunsPanel panel;
        panel.show();
        open(panel, root);
        QCOMPARE(panel.runCount(), 3);
        const QString alpha = QDir(root + "/alpha").absolutePath();
        const QString beta = QDir(root + "/beta").absolutePath();
        const QString gamma = QDir(root + "/gamma").absolutePath();

        // Tags: a sidecar file, run.json untouched, shown in the list, matched by the filter.
        const QByteArray runJson = readAll(alpha + "/run.json");
        QString error;
        QVERIFY2(panel.setTags(alpha, " baseline, sweep-2 ,baseline", &error), qPrintable(error));
        QCOMPARE(panel.tags(alpha), (QStringList{"baseline", "sweep-2"}));
        QVERIFY(readAll(alpha + "/tags.json").contains("sweep-2"));
        QCOMPARE(readAll(alpha + "/run.json"), runJson);
        auto* list = panel.findChild<QListWidget*>();
        QVERIFY(list->findItems("alpha", Qt::MatchStartsWith).value(0)->text().contains(
            "[baseline, sweep-2]"));
        panel.setFilter("sweep-2");
        QCOMPARE(panel.shownRunDirs(), QStringList{alpha});
        panel.setFilter("baseline decay");
        QCOMPARE(panel.shownRunDirs(), QStringList{alpha});
        panel.setFilter(QString());
        QVERIFY(!panel.setTags(alpha, QString(70, 'x'), &error));
        QVERIFY2(error.contains("longer than"), qPrintable(error));

        // Rename: names taken or invalid are refused; the run keeps its colour and tags.
        const QColor alphaColor = penColor(panel.curvePlots().trainLoss, "alpha/train loss");
        QVERIFY(alphaColor.isValid());
        QVERIFY(!panel.renameRun(alpha, "beta", &error));
        QVERIFY2(error.contains("already exists"), qPrintable(error));
        for (const QString bad : {"", "a/b", "..", ".hidden", " padded"}) {
            QVERIFY2(!panel.renameRun(alpha, bad, &error), qPrintable(bad));
            QVERIFY2(error.startsWith("Cannot rename"), qPrintable(error));
        }
        QVERIFY(QFileInfo::exists(alpha + "/run.json"));
        QSignalSpy changed(&panel, &RunsPanel::runsChanged);
        QVERIFY2(panel.renameRun(alpha, "alpha-decay", &error), qPrintable(error));
        const QString renamed = QDir(root + "/alpha-decay").absolutePath();
        QTRY_VERIFY(panel.runDirs().contains(renamed));
        QTRY_VERIFY(!panel.isLoading());
        QVERIFY(!panel.runDirs().contains(alpha));
        QVERIFY(!QFileInfo::exists(alpha));
        QCOMPARE(panel.runColor(renamed), alphaColor);
        QCOMPARE(penColor(panel.curvePlots().trainLoss, "alpha-decay/train loss"), alphaColor);
        QCOMPARE(panel.tags(renamed), (QStringList{"baseline", "sweep-2"}));

        // A run whose lock a job holds (here: this process, as a CLI job would) is refused.
        {
            RunLock job(beta.toStdString());
            QVERIFY(!panel.deleteRun(beta, false, &error));
            QVERIFY2(error.contains("beta is running (pid " + QString::number(::getpid())),
                     qPrintable(error));
            QVERIFY(!panel.renameRun(beta, "beta2", &error));
            QVERIFY2(error.contains("running"), qPrintable(error));
            QVERIFY(QFileInfo::exists(beta + "/run.json"));
        }

        // Delete asks first: Cancel keeps the run.
        panel.selectRun(gamma);
        QAction* deleteAction = nullptr;
        for (QAction* action : list->actions())
            if (action->text().startsWith("Delete"))
                deleteAction = action;
        QVERIFY(deleteAction);
        bool asked = false;
        QTimer::singleShot(200, this, [&asked] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                asked = box->text().contains("gamma");
                box->button(QMessageBox::Cancel)->click();
            }
        });
        deleteAction->trigger();
        QVERIFY(asked);
        QVERIFY(QFileInfo::exists(gamma + "/run.json"));
        QVERIFY(panel.runDirs().contains(gamma));

        // Deleting moves the folder to the trash (here, under this test's $HOME).
        QVERIFY2(panel.deleteRun(beta, false, &error), qPrintable(error));
        QVERIFY(!QFileInfo::exists(beta));
        QVERIFY(!panel.runDirs().contains(beta));
        bool inTrash = false;
        for (QDirIterator it(m_dir.path(), QDir::Dirs | QDir::Hidden, QDirIterator::Subdirectories);
             it.hasNext();)
            if (it.next().endsWith("/files/beta") && it.filePath().contains("Trash"))
                inTrash = QFileInfo::exists(it.filePath() + "/run.json");
        QVERIFY(inTrash);
        QVERIFY(!panel.curvePlots().trainLoss->seriesNames().contains("beta/train loss"));
        QCOMPARE(panel.table().rowCount(), 2);
    }

    // The Runs tab's parts on their own (RunsPanel is built from them): the reader of run
    // folders, the colour book, the list and its filter, the overview's table and plots.
    void runsTabPartsOnTheirOwn() {
        const QString root = QDir(path("parts")).absolutePath();
        testing::writeFakeRun(root + "/one", MaskSpec{MaskMode::Decay, 0.5}, 0.7);
        testing::writeFakeRun(root + "/two", MaskSpec{MaskMode::Causal, 0.0}, 0.6);
        QFile tags(root + "/two/tags.json");
        QVERIFY(tags.open(QIODevice::WriteOnly));
        tags.write("not json");
        tags.close();
        QDir().mkpath(root + "/empty");
        const QList<RunReading> read =
            RunFolderReader::read({root + "/one", root + "/two/", root + "/empty"}, root + "/one");
        QCOMPARE(read.size(), 3);
        QCOMPARE(read[0].directory, root + "/one");
        QCOMPARE(read[0].status.state, RunState::Running); // the active run
        QCOMPARE(int(read[0].record.steps.size()), 4);
        QCOMPARE(int(read[0].record.evals.size()), 1);
        QVERIFY(read[0].error.isEmpty() && read[0].warning.isEmpty());
        QCOMPARE(read[1].directory, root + "/two");
        QCOMPARE(read[1].status.state, RunState::Stopped);
        QVERIFY2(read[1].warning.contains("tags.json"), qPrintable(read[1].warning)); // listed
        QVERIFY(read[1].error.isEmpty());
        QVERIFY2(read[2].error.contains("run.json"), qPrintable(read[2].error)); // not listed
        QVERIFY(read[0].tail && read[0].tail->poll().steps.empty()); // stands after the records

        RunColorBook colors;
        const QColor first = colors.color(root + "/one");
        const QColor second = colors.color(root + "/two");
        QVERIFY(first != second);
        QCOMPARE(colors.color(root + "/one/"), first);
        colors.moveRun(root + "/one", root + "/uno");
        QCOMPARE(colors.color(root + "/uno"), first);
        QVERIFY(colors.color(root + "/three") != first);
        QVERIFY(colors.color(root + "/three") != second);

        RunList list;
        QListWidgetItem* one = list.addRun(root + "/one/");
        QListWidgetItem* two = list.addRun(root + "/two");
        QCOMPARE(list.itemFor(root + "/one"), one);
        RunList::describe(one, RunStatus{RunState::Completed, {}}, {"baseline"});
        RunList::describe(two, RunStatus{RunState::Failed, "disk full"}, {});
        QCOMPARE(one->text(), QStringLiteral("one  (completed)  [baseline]"));
        QVERIFY(two->toolTip().contains("disk full"));
        list.setChecked(root + "/two", true);
        QCOMPARE(list.checkedRunDirs(), QStringList{root + "/two"});
        list.applyFilter("failed", [](const QString&) { return QString(); });
        QCOMPARE(list.shownRunDirs(), QStringList{root + "/two"});
        list.applyFilter("decay", [&](const QString& dir) {
            return dir.endsWith("/one") ? QStringLiteral("decay(0.5)") : QString();
        });
        QCOMPARE(list.shownRunDirs(), QStringList{root + "/one"});
        QVERIFY(!list.isShownAndChecked(root + "/two"));
        list.selectRun(root + "/one");
        QCOMPARE(list.selectedRunDir(), root + "/one");

        RunsOverview overview;
        overview.addCurves(read[0].record, "one", first);
        overview.addTableRow(read[0].record, read[0].status);
        overview.refreshCurves();
        QCOMPARE(overview.table().rowCount(), 1);
        QVERIFY(overview.curvePlots().trainLoss->seriesNames().contains("one/train loss"));
        QCOMPARE(overview.plots().size(), 4);
        QString error;
        QVERIFY2(overview.exportTable(path("parts.md"), &error), qPrintable(error));
        QVERIFY(readAll(path("parts.md")).contains("| one |"));
        overview.clearCurves();
        overview.clearTable();
        QCOMPARE(overview.table().rowCount(), 0);
    }

    // Renaming rewrites run.json's paths into the old folder ("out", and here a dev file kept
    // in the run), atomically, leaving other paths, other values and the key order alone.
    void renameKeepsRunJsonTrue() {
        const QString root = QDir(path("relocate")).absolutePath();
        const QString run = root + "/delta";
        testing::writeFakeRun(run, MaskSpec{MaskMode::Decay, 0.5}, 0.7);
        TrainingConfig config = TrainingConfig::load((run + "/run.json").toStdString());
        config.devFile = (run + "/data/dev.tsv").toStdString();
        config.trainFile = (root + "/delta-data/train.tsv").toStdString(); // beside, not inside
        QFile json(run + "/run.json");
        QVERIFY(json.open(QIODevice::WriteOnly | QIODevice::Truncate));
        json.write(QByteArray::fromStdString(config.toJsonText()));
        json.close();
        const QByteArray before = readAll(run + "/run.json");
        const QByteArray firstKey = before.left(before.indexOf(':'));

        RunsPanel panel;
        panel.show();
        open(panel, root);
        QString error;
        QVERIFY2(panel.renameRun(run, "delta-renamed", &error), qPrintable(error));
        const QString renamed = root + "/delta-renamed";
        const QByteArray after = readAll(renamed + "/run.json");
        QVERIFY2(after.startsWith(firstKey), after.constData()); // key order kept
        const TrainingConfig moved =
            TrainingConfig::load((renamed + "/run.json").toStdString());
        QCOMPARE(QString::fromStdString(moved.outDir), renamed);
        QCOMPARE(QString::fromStdString(moved.devFile), renamed + "/data/dev.tsv");
        QCOMPARE(moved.trainFile, config.trainFile);
        QCOMPARE(moved.modelDir, config.modelDir);
        QCOMPARE(moved.mask.describe(), config.mask.describe());
        QCOMPARE(moved.toJsonText(), [&] {
            TrainingConfig expected = config;
            expected.outDir = renamed.toStdString();
            expected.devFile = (renamed + "/data/dev.tsv").toStdString();
            return expected.toJsonText();
        }());
        QVERIFY(!after.contains("/delta\"") && !after.contains("/delta/"));
        // No temporary file left beside it.
        QCOMPARE(QDir(renamed).entryList({"run.json*"}, QDir::Files), QStringList{"run.json"});
        QTRY_VERIFY(panel.runDirs().contains(renamed));
        QTRY_VERIFY(!panel.isLoading());

        // Relative paths (as the studio's working folder resolves them) stay relative, and a
        // path through a symbolic link keeps its spelling.
        const QString previous = QDir::currentPath();
        QVERIFY(QDir::setCurrent(m_dir.path()));
        QCOMPARE(RunJsonRelocation::relocatedPath("relocate/old/best", root + "/old",
                                                  root + "/new"),
                 QStringLiteral("relocate/new/best"));
        QCOMPARE(RunJsonRelocation::relocatedPath("relocate/older", root + "/old", root + "/new"),
                 QStringLiteral("relocate/older"));
        QVERIFY(QDir::setCurrent(previous));
        QVERIFY(QFile::link(root, path("relocate-link")));
        QCOMPARE(RunJsonRelocation::relocatedPath(path("relocate-link") + "/old", root + "/old",
                                                  root + "/new"),
                 path("relocate-link") + "/new");
        QCOMPARE(RunJsonRelocation::relocatedPath("/elsewhere/old", root + "/old", root + "/new"),
                 QStringLiteral("/elsewhere/old"));

        // A run.json that is not JSON: the rename stands and the message names the file.
        const QString broken = root + "/broken";
        testing::writeFakeRun(broken, MaskSpec{MaskMode::Causal, 0.0}, 0.5);
        QFile brokenJson(broken + "/run.json");
        QVERIFY(brokenJson.open(QIODevice::WriteOnly | QIODevice::Truncate));
        brokenJson.write("{\"out\": ");
        brokenJson.close();
        QString newDir, warning;
        QVERIFY2(RunFolderActions::rename(broken, "broken2", &newDir, &error, &warning),
                 qPrintable(error));
        QVERIFY2(warning.contains(root + "/broken2/run.json"), qPrintable(warning));
        QCOMPARE(readAll(root + "/broken2/run.json"), QByteArray("{\"out\": "));
    }

    void perClassScoresAndConfusionMatrix() {
        const QString root = path("classes");
        const QString run = QDir(root + "/scored").absolutePath();
        testing::writeFakeRun(run, MaskSpec{MaskMode::Decay, 0.5}, 4.0 / 7.0);
        QFile dev(run + "/dev_predictions.tsv");
        QVERIFY(dev.open(QIODevice::WriteOnly));
        dev.write(kDevPredictions);
        dev.close();
        QDir().mkpath(run + "/evaluations");
        QFile test(run + "/evaluations/test.tsv.predictions.tsv");
        QVERIFY(test.open(QIODevice::WriteOnly));
        test.write("line\tgold\tpredicted\tp_neg\tp_neu\tp_pos\n2\tneg\tneg\t1\t0\t0\n"
                   "3\tpos\tneg\t1\t0\t0\n");
        test.close();
        QFile scores(run + "/evaluations/test.tsv.json");
        QVERIFY(scores.open(QIODevice::WriteOnly));
        scores.write("{\"data\": \"/data/test.tsv\"}");
        scores.close();

        RunsPanel panel;
        panel.resize(1400, 900);
        panel.show();
        open(panel, root);
        ClassReportView* view = panel.classReport();
        QSignalSpy loaded(view, &ClassReportView::loaded);
        panel.selectRun(run);
        QTRY_VERIFY(view->report() != nullptr);
        QCOMPARE(view->sourceNames(), (QStringList{"dev", "test.tsv"}));
        QCOMPARE(view->scoresTable()->rowCount(), 3);
        QCOMPARE(view->scoresTable()->item(2, 0)->text(), QStringLiteral("pos"));
        QCOMPARE(view->scoresTable()->item(2, 3)->text(), QStringLiteral("57.14")); // F1 4/7
        QCOMPARE(view->scoresTable()->item(2, 4)->text(), QStringLiteral("3"));     // support
        ConfusionMatrixPlot* matrix = view->matrixPlot();
        QCOMPARE(matrix->labels(), (QStringList{"neg", "neu", "pos"}));
        QCOMPARE(matrix->count(2, 2), 2);
        QCOMPARE(matrix->count(2, 0), 1);
        QCOMPARE(matrix->count(1, 2), 1);
        QVERIFY(qAbs(matrix->rowShare(2, 2) - 2.0 / 3.0) < 1e-12);
        QVERIFY2(matrix->title().contains("scored") && matrix->title().contains("dev"),
                 qPrintable(matrix->title()));

        // The evaluated file.
        view->setSource(1);
        QTRY_VERIFY(view->report() && view->report()->examples == 2);
        QVERIFY2(matrix->title().contains("test.tsv"), qPrintable(matrix->title()));
        QCOMPARE(matrix->count(2, 0), 1);

        // Exports: the scores table (CSV naming run and file) and the heatmap like any plot.
        QString error;
        QVERIFY2(view->exportScores(path("scores.csv"), &error), qPrintable(error));
        const QByteArray csv = readAll(path("scores.csv"));
        QVERIFY2(csv.startsWith("run,file,class,precision,recall,f1,support"), csv.constData());
        QVERIFY2(csv.contains("scored,/data/test.tsv,pos,0,0,0,1,0,0"), csv.constData());
        QVERIFY(view->exportScores(path("scores.md"), &error));
        QVERIFY(readAll(path("scores.md")).contains("| pos |"));
        bool listed = false;
        for (const NamedPlot& named : panel.plots())
            listed = listed || (named.name == "Confusion matrix" && named.plot == matrix);
        QVERIFY(listed); // Ctrl+E exports it with the curves
        ExportSettings settings;
        settings.svg = false;
        QStringList written;
        QVERIFY2(ExportDialog::exportPlot(matrix, path("matrix"), settings, &written, &error),
                 qPrintable(error));
        QCOMPARE(written.size(), 3);
        QVERIFY(QImage(path("matrix.png")).width() > 0);
        QVERIFY(readAll(path("matrix.pdf")).startsWith("%PDF"));
        QVERIFY(readAll(path("matrix.csv")).contains("pos,neg,1,1\n"));

        // A reread of the same run (new metrics, a refresh) keeps the evaluated file shown.
        view->setRun(run, QString());
        QTRY_VERIFY(!view->isLoading() && view->report());
        QCOMPARE(view->currentSource(), 1);
        QCOMPARE(view->report()->examples, 2);
        // Another run, or the same one asked for explicitly, starts again from dev.
        view->setRun(QString());
        view->setRun(run, QString());
        QTRY_VERIFY(!view->isLoading() && view->report());
        QCOMPARE(view->currentSource(), 0);

        // showRun(run, file) (fsllm-studio --run RUN --predictions FILE) opens on that file's
        // evaluation, also through the panel's own rereads.
        RunsPanel second;
        second.showRun(run, QStringLiteral("/anywhere/test.tsv"));
        open(second, root);
        QTRY_VERIFY(!second.classReport()->isLoading() && second.classReport()->report());
        QCOMPARE(second.selectedRunDir(), run);
        QCOMPARE(second.classReport()->currentSource(), 1);
        QCOMPARE(second.classReport()->report()->examples, 2);
    }

    void curvesOfSeveralRunningJobsGrowLive() {
        const QString root = path("live");
        const QString one = QDir(root + "/sweep-1").absolutePath();
        const QString two = QDir(root + "/sweep-2").absolutePath();
        testing::writeFakeRun(one, MaskSpec{MaskMode::Decay, 0.5}, 0.6);
        testing::writeFakeRun(two, MaskSpec{MaskMode::Decay, 1.0}, 0.6);
        const QString outside = QDir(path("elsewhere/job")).absolutePath();
        testing::writeFakeRun(outside, MaskSpec{MaskMode::Causal, 0.0}, 0.5);
        RunsPanel panel;
        panel.liveFeed()->setIntervalMs(50);
        panel.show();
        open(panel, root);
        panel.watchFolder(outside);
        QTRY_VERIFY(panel.runDirs().contains(outside));
        QTRY_VERIFY(!panel.isLoading());
        const LiveCurvePlot* loss = panel.curvePlots().trainLoss;
        QCOMPARE(loss->pointCount("sweep-1/train loss"), 4);
        QCOMPARE(loss->pointCount("job/train loss"), 4);

        // Two jobs (lock held, as `fsllm train` holds it) and the watched one write at once.
        auto jobOne = std::make_unique<RunLock>(one.toStdString());
        RunLock jobTwo(two.toStdString());
        QTRY_COMPARE(panel.status(one).state, RunState::Running);
        QTRY_COMPARE(panel.status(two).state, RunState::Running);
        for (int round = 0; round < 3; ++round) {
            const int from = 5 + 2 * round;
            appendSteps(one, from, from + 1);
            appendSteps(two, from, from + 1);
            appendSteps(outside, from, from + 1);
            QTRY_COMPARE(loss->pointCount("sweep-1/train loss"), from + 1);
            QTRY_COMPARE(loss->pointCount("sweep-2/train loss"), from + 1);
            QTRY_COMPARE(loss->pointCount("job/train loss"), from + 1);
        }
        // Only new lines were added: each step once, in order.
        const QCPGraph* graph = loss->rawGraph("sweep-1/train loss");
        QVERIFY(graph);
        QCOMPARE(graph->data()->size(), 10);
        QCOMPARE((graph->data()->constEnd() - 1)->key, 10.0);
        // An evaluation reaches the scores plot and the table.
        {
            QFile metrics(one + "/metrics.jsonl");
            QVERIFY(metrics.open(QIODevice::Append));
            EvalRecord e;
            e.step = 10;
            e.accuracy = 0.9;
            e.f1 = 0.85;
            e.isBest = true;
            metrics.write(QByteArray::fromStdString(e.toJsonLine()));
        }
        QTRY_COMPARE(panel.curvePlots().scores->pointCount("sweep-1/accuracy"), 2);

        // The sweep starts its next run: it is listed and followed.
        // (Written aside and moved in: fsllm train's run.json appears whole, atomically.)
        const QString three = QDir(root + "/sweep-3").absolutePath();
        testing::writeFakeRun(path("staging/sweep-3"), MaskSpec{MaskMode::Decay, 2.0}, 0.6);
        QVERIFY(QDir().rename(path("staging/sweep-3"), three));
        QTRY_VERIFY(panel.runDirs().contains(three));
        QTRY_COMPARE(loss->pointCount("sweep-3/train loss"), 4);
        appendSteps(three, 5, 5);
        QTRY_COMPARE(loss->pointCount("sweep-3/train loss"), 5);

        // A job that ends drops its lock: the run is no longer running.
        QFile log(one + "/train.log");
        QVERIFY(log.open(QIODevice::Append));
        log.write("2026-01-01 10:00:00  training 10 optimizer steps (1 epochs x 10)\n"
                  "2026-01-01 10:00:09  finished: completed after 10 steps, 9 s\n");
        log.close();
        jobOne.reset();
        QTRY_COMPARE(panel.status(one).state, RunState::Completed);
        QCOMPARE(panel.status(two).state, RunState::Running);
    }
};

QTEST_MAIN(TestRunsTab)
#include "tst_runstab.moc"
