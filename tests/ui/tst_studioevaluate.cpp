// The Runs tab's "Evaluate file…" (issue 12: the confusion matrix and per-class scores "for any
// file evaluated with" the run) on a tiny generated model and a run trained for real: the file is
// scored off the GUI thread by the same RunEvaluation as `fsllm eval --run RUN --data FILE`, with
// progress and Cancel in the evaluation bar; the result is kept in RUN/evaluations/ and the
// "Per class" view shows it; a bad file shows the engine's error (file and line) in the bar and
// keeps nothing; a cancelled evaluation keeps nothing; runs that cannot be evaluated are refused.
// Offscreen.
#include "classreportview.h"
#include "confusionmatrixplot.h"
#include "fakerunfolder.h"
#include "fileevaluation.h"
#include "runevaluationbar.h"
#include "runspanel.h"
#include "studiotestdata.h"
#include "tinycheckpoint.h"
#include "trainingjob.h"

#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace fsllm;

namespace {

constexpr int kTimeoutMs = 240000;

} // namespace

class TestStudioEvaluate : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_runs, m_run, m_test, m_big;
    QString path(const QString& name) const { return m_dir.filePath(name); }

    // A panel on the runs folder, loaded, with the trained run selected.
    void open(RunsPanel& panel) {
        panel.resize(1400, 900);
        panel.show();
        QSignalSpy changed(&panel, &RunsPanel::runsChanged);
        panel.setRunsFolder(m_runs);
        QVERIFY(changed.wait(10000));
        QTRY_VERIFY(!panel.isLoading());
        panel.selectRun(m_run);
        QCOMPARE(panel.selectedRunDir(), m_run);
    }

    // Evaluates `file` and waits for the outcome.
    FileEvaluationResult evaluate(RunsPanel& panel, const QString& file) {
        QSignalSpy finished(panel.evaluationBar(), &RunEvaluationBar::finished);
        QString error;
        bool started = panel.evaluateFile(m_run, file, &error);
        [&] { QVERIFY2(started, qPrintable(error)); }();
        if (!started)
            return {};
        [&] { QVERIFY(finished.wait(kTimeoutMs)); }();
        return finished.isEmpty() ? FileEvaluationResult{}
                                  : finished[0][0].value<FileEvaluationResult>();
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("FS-LLM Studio Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_studioevaluate"));
        const QString model = path("model");
        TinyCheckpointOptions options;
        options.corpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";
        options.qkStd = 0.1;
        TinyCheckpoint::write(model.toStdString(), options);
        testing::writeCueTsv(path("train.tsv"), 48, 1);
        testing::writeCueTsv(path("dev.tsv"), 16, 2);
        m_test = path("data/test.tsv");
        QDir().mkpath(path("data"));
        testing::writeCueTsv(m_test, 40, 3);
        m_big = path("data/big.tsv");
        testing::writeCueTsv(m_big, 2000, 4);

        m_runs = path("runs");
        m_run = QDir(m_runs + "/cue").absolutePath();
        TrainingConfig config;
        config.modelDir = model.toStdString();
        config.trainFile = path("train.tsv").toStdString();
        config.devFile = path("dev.tsv").toStdString();
        config.outDir = m_run.toStdString();
        config.epochs = 1;
        config.batchSize = 8;
        config.evalEvery = 3;
        config.logEvery = 1;
        config.device = "cpu";
        TrainingJob job(config);
        const TrainingSummary summary = job.run(nullptr);
        QVERIFY(summary.completed);
        QVERIFY(QFileInfo::exists(m_run + "/best"));
        // A run stopped before its first evaluation: listed, but it has no best/ adapter.
        testing::writeFakeRun(m_runs + "/early", MaskSpec{MaskMode::Causal, 0.0}, 0.5);
    }

    void evaluatesAFileAndShowsItsScores() {
        RunsPanel panel;
        open(panel);
        QVERIFY2(panel.evaluationProblem(m_run).isEmpty(), qPrintable(panel.evaluationProblem(m_run)));
        RunEvaluationBar* bar = panel.evaluationBar();
        QVERIFY(!bar->isVisible());

        QSignalSpy finished(bar, &RunEvaluationBar::finished);
        QSignalSpy progressed(bar->evaluation(), &FileEvaluation::progressed);
        QString error;
        QVERIFY2(panel.evaluateFile(m_run, m_test, &error), qPrintable(error));
        QVERIFY(bar->isVisible());
        QVERIFY(bar->isRunning());
        QVERIFY(bar->cancelButton()->isEnabled());
        QCOMPARE(bar->cancelButton()->text(), QStringLiteral("Cancel"));
        // One evaluation at a time.
        QVERIFY(!panel.evaluateFile(m_run, m_test, &error));
        QVERIFY2(error.contains("test.tsv"), qPrintable(error));
        QVERIFY(finished.wait(kTimeoutMs));

        const auto result = finished[0][0].value<FileEvaluationResult>();
        QVERIFY2(result.succeeded(), qPrintable(result.error));
        QCOMPARE(result.examples, 40);
        QVERIFY(!progressed.isEmpty());
        QCOMPARE(progressed.last()[0].toInt(), 40); // examples scored
        QCOMPARE(progressed.last()[1].toInt(), 40); // of
        QVERIFY(!bar->isRunning());
        QVERIFY2(bar->text().contains("accuracy") && bar->text().contains("40 examples"),
                 qPrintable(bar->text()));
        QVERIFY(!bar->showsError());
        QCOMPARE(bar->cancelButton()->text(), QStringLiteral("Close"));
        // Kept where `fsllm eval` keeps it.
        QVERIFY(QFileInfo::exists(m_run + "/evaluations/test.tsv.predictions.tsv"));
        QFile scores(m_run + "/evaluations/test.tsv.json");
        QVERIFY(scores.open(QIODevice::ReadOnly));
        const QByteArray json = scores.readAll();
        QVERIFY2(json.contains("\"examples\": 40") && json.contains("data/test.tsv"),
                 json.constData());

        // The per-class view shows the new evaluation.
        ClassReportView* view = panel.classReport();
        QTRY_VERIFY_WITH_TIMEOUT(view->report() && view->report()->examples == 40, 10000);
        QVERIFY(view->sourceNames().contains("test.tsv"));
        QCOMPARE(view->sourceNames().at(view->currentSource()), QStringLiteral("test.tsv"));
        QVERIFY2(view->matrixPlot()->title().contains("test.tsv"),
                 qPrintable(view->matrixPlot()->title()));
        QCOMPARE(view->matrixPlot()->labels(), (QStringList{"neg", "pos"}));
        int counted = 0;
        for (int gold = 0; gold < 2; ++gold)
            for (int predicted = 0; predicted < 2; ++predicted)
                counted += view->matrixPlot()->count(gold, predicted);
        QCOMPARE(counted, 40);
        QVERIFY(view->isVisible()); // the "Per class" tab is the current one

        bar->cancelButton()->click(); // Close
        QVERIFY(!bar->isVisible());
    }

    void badFilesShowTheEnginesErrorAndKeepNothing() {
        RunsPanel panel;
        open(panel);
        const QString bad = path("data/bad.tsv");
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("sentence\tlabel\nthe film was good\tpos\nthe film was odd\tmaybe\n");
        file.close();
        FileEvaluationResult result = evaluate(panel, bad);
        QVERIFY(!result.succeeded());
        QVERIFY(!result.cancelled);
        RunEvaluationBar* bar = panel.evaluationBar();
        QVERIFY(bar->isVisible());
        QVERIFY(bar->showsError());
        // The engine's message: the file, the line and the label outside the run's label set.
        QVERIFY2(bar->text().contains("bad.tsv") && bar->text().contains("maybe"),
                 qPrintable(bar->text()));
        QVERIFY(!QFileInfo::exists(m_run + "/evaluations/bad.tsv.json"));
        QVERIFY(!QFileInfo::exists(m_run + "/evaluations/bad.tsv.predictions.tsv"));

        const QString missing = path("data/missing.tsv");
        result = evaluate(panel, missing);
        QVERIFY(!result.succeeded());
        QVERIFY2(bar->text().contains("missing.tsv"), qPrintable(bar->text()));

        // The panel is still usable: the same run evaluates a good file afterwards.
        result = evaluate(panel, m_test);
        QVERIFY2(result.succeeded(), qPrintable(result.error));
    }

    void cancelKeepsNothing() {
        RunsPanel panel;
        open(panel);
        RunEvaluationBar* bar = panel.evaluationBar();
        QSignalSpy finished(bar, &RunEvaluationBar::finished);
        QString error;
        QVERIFY2(panel.evaluateFile(m_run, m_big, &error), qPrintable(error));
        bar->cancelButton()->click();
        QVERIFY(!bar->cancelButton()->isEnabled());
        QVERIFY2(bar->text().contains("Cancelling"), qPrintable(bar->text()));
        QVERIFY(finished.wait(kTimeoutMs));
        const auto result = finished[0][0].value<FileEvaluationResult>();
        QVERIFY(result.cancelled);
        QVERIFY(result.error.isEmpty());
        QVERIFY2(bar->text().contains("cancelled"), qPrintable(bar->text()));
        QVERIFY(!QFileInfo::exists(m_run + "/evaluations/big.tsv.json"));
        QVERIFY(!QFileInfo::exists(m_run + "/evaluations/big.tsv.predictions.tsv"));
    }

    void runsThatCannotBeEvaluatedAreRefused() {
        RunsPanel panel;
        open(panel);
        const QString early = QDir(m_runs + "/early").absolutePath();
        QVERIFY(panel.runDirs().contains(early));
        QVERIFY2(panel.evaluationProblem(early).contains("best/"),
                 qPrintable(panel.evaluationProblem(early)));
        QString error;
        QVERIFY(!panel.evaluateFile(early, m_test, &error));
        QVERIFY2(error.contains("early"), qPrintable(error));
        QVERIFY(!panel.evaluationBar()->isRunning());
        QVERIFY(!panel.evaluateFile(path("not-a-run"), m_test, &error));
        // A run that trains in this studio is refused too.
        panel.setActiveRun(m_run);
        QTRY_VERIFY(!panel.isLoading());
        QVERIFY2(panel.evaluationProblem(m_run).contains("training"),
                 qPrintable(panel.evaluationProblem(m_run)));
    }
};

QTEST_MAIN(TestStudioEvaluate)
#include "tst_studioevaluate.moc"
