// The studio's torch-free parts: the results table (CSV, Markdown, LaTeX, from run folders),
// run curves, export file names, the lambda slider mapping, token-to-word grouping and the
// event-loop stall meter.
#include "exportdialog.h"
#include "fakerunfolder.h"
#include "formwording.h"
#include "inspectpanel.h"
#include "livecurveplot.h"
#include "modelloadindicator.h"
#include "predictionview.h"
#include "resultstable.h"
#include "runcurves.h"
#include "runlock.h"
#include "runstatus.h"
#include "stallmeter.h"
#include "trainingconfig.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <cmath>
#include <limits>
#include <thread>

using namespace fsllm;

namespace {

ResultRow row(const QString& run, const QString& mask, double lambda, double accuracy, double f1) {
    ResultRow r;
    r.run = run;
    r.mask = mask;
    r.lambda = lambda;
    r.pooling = QStringLiteral("last");
    r.head = QStringLiteral("fs");
    r.bestStep = 40;
    r.accuracy = accuracy;
    r.precision = accuracy - 0.01;
    r.recall = accuracy - 0.02;
    r.f1 = f1;
    return r;
}

QString readText(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

} // namespace

class TestUiParts : public QObject {
    Q_OBJECT

private slots:
    void tableCsv() {
        ResultsTable table;
        table.addRow(row("run,a", "decay", 0.5, 0.9125, 0.9));
        table.addRow(row("b", "causal", std::numeric_limits<double>::infinity(), 0.8, 0.85));
        const QStringList lines = table.toCsv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QStringLiteral("run,mask,lambda,pooling,head,best step,accuracy,"
                                          "precision,recall,F1,metric,seeds,mean,std,difference,"
                                          "ci_low,ci_high,p_bootstrap,p_mcnemar"));
        // Rows without run folders have no significance: its nine columns are empty.
        QCOMPARE(lines[1], QStringLiteral("\"run,a\",decay,0.5,last,fs,40,0.9125,0.9025,0.8925,"
                                          "0.9,,,,,,,,,"));
        QVERIFY(lines[2].startsWith(QStringLiteral("b,causal,inf,")));
    }

    void tableMarkdownMarksBest() {
        ResultsTable table;
        table.addRow(row("a|x", "decay", 0.5, 0.9125, 0.80));
        table.addRow(row("b", "bidirectional", 0.0, 0.80, 0.85));
        const QStringList lines = table.toMarkdown().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QVERIFY(lines[0].startsWith(QStringLiteral("| run | mask | lambda |")));
        QVERIFY(lines[1].contains(QStringLiteral("---:")));
        QVERIFY(lines[2].contains(QStringLiteral("a\\|x")));
        QVERIFY(lines[2].contains(QStringLiteral("**91.25**"))); // best accuracy
        QVERIFY(lines[3].contains(QStringLiteral("**85.00**"))); // best F1
        QVERIFY(!lines[2].contains(QStringLiteral("**80.00**")));
    }

    void tableLatex() {
        ResultsTable table;
        table.addRow(row("run_1", "decay", 0.5, 0.9, 0.9));
        table.addRow(row("run_2", "causal", std::numeric_limits<double>::infinity(), 0.7, 0.7));
        const QString tex = table.toLatex();
        QVERIFY(tex.startsWith(QStringLiteral("\\begin{tabular}{llrllrrrrrrrrr}")));
        QVERIFY(tex.contains(QStringLiteral("\\toprule")));
        QVERIFY(tex.contains(QStringLiteral("run\\_1 & decay & 0.5 & last & fs & 40 & "
                                            "\\textbf{90.00}")));
        QVERIFY(tex.contains(QStringLiteral("$\\infty$")));
        QVERIFY(tex.trimmed().endsWith(QStringLiteral("\\end{tabular}")));
    }

    void tableMissingScores() {
        ResultsTable table;
        ResultRow r;
        r.run = "fresh";
        r.mask = "decay";
        table.addRow(r);
        QCOMPARE(table.cell(0, ResultsTable::Accuracy), QStringLiteral("-"));
        QCOMPARE(table.cell(0, ResultsTable::BestStep), QStringLiteral("-"));
        QVERIFY(table.toCsv().split('\n')[1].endsWith(QStringLiteral(",,,,,")));
    }

    void tableSaveBySuffix() {
        QTemporaryDir dir;
        ResultsTable table;
        table.addRow(row("a", "decay", 1.0, 0.5, 0.5));
        for (const char* name : {"t.csv", "t.md", "t.tex"}) {
            QString error;
            QVERIFY2(table.save(dir.filePath(name), &error), qPrintable(error));
            QVERIFY(!readText(dir.filePath(name)).isEmpty());
        }
        QString error;
        QVERIFY(!table.save(dir.filePath("t.docx"), &error));
        QVERIFY(error.contains(QStringLiteral("docx")));
    }

    void tableFromRunFolders() {
        QTemporaryDir dir;
        fsllm::testing::writeFakeRun(dir.filePath("decay_run"), MaskSpec{MaskMode::Decay, 0.25},
                                     0.75);
        fsllm::testing::writeFakeRun(dir.filePath("causal_run"), MaskSpec{MaskMode::Causal, 0.0},
                                     0.5);
        ResultsTable table;
        table.addRun(RunRecord::load(dir.filePath("decay_run").toStdString()));
        table.addRun(RunRecord::load(dir.filePath("causal_run").toStdString()));
        QCOMPARE(table.rowCount(), 2);
        QCOMPARE(table.rows()[0].run, QStringLiteral("decay_run"));
        QCOMPARE(table.rows()[0].lambda, 0.25);
        QCOMPARE(table.rows()[0].bestStep, 4);
        QCOMPARE(table.cell(0, ResultsTable::Accuracy), QStringLiteral("75.00"));
        QVERIFY(std::isinf(table.rows()[1].lambda));
        QCOMPARE(table.cell(1, ResultsTable::Lambda), QStringLiteral("∞"));
    }

    // The significance columns from run folders with dev predictions: two seeds of a causal
    // and of a decay configuration (40 examples; causal 50% and 60%, decay 80% and 70%).
    void tableSignificanceFromRunFolders() {
        QTemporaryDir dir;
        using fsllm::testing::firstRight;
        const struct {
            const char* name;
            MaskSpec mask;
            int seed;
            int right;
        } runs[] = {{"causal-s1", {MaskMode::Causal, 0.0}, 1, 20},
                    {"causal-s2", {MaskMode::Causal, 0.0}, 2, 24},
                    {"decay-s1", {MaskMode::Decay, 0.5}, 1, 32},
                    {"decay-s2", {MaskMode::Decay, 0.5}, 2, 28}};
        ResultsTable table;
        for (const auto& run : runs) {
            const QString path = dir.filePath(run.name);
            fsllm::testing::writeFakeRun(path, run.mask, run.right / 40.0, run.seed);
            fsllm::testing::writeFakeDevPredictions(path, firstRight(run.right, 40));
            table.addRun(RunRecord::load(path.toStdString()));
        }
        QCOMPARE(table.cell(2, ResultsTable::SeedMean), QStringLiteral("-")); // not computed yet
        table.computeSignificance();
        QCOMPARE(table.cell(0, ResultsTable::SeedMean), QStringLiteral("55.00 ± 7.07 (n=2)"));
        QCOMPARE(table.cell(1, ResultsTable::Difference), QStringLiteral("baseline"));
        QCOMPARE(table.cell(3, ResultsTable::SeedMean), QStringLiteral("75.00 ± 7.07 (n=2)"));
        QCOMPARE(table.cell(2, ResultsTable::Difference), QStringLiteral("+20.00"));
        QVERIFY(table.rows()[2].significance.pValue < 0.05);
        QVERIFY(table.rows()[2].significance.ciLow > 0.0);
        QVERIFY(table.cell(2, ResultsTable::Interval).startsWith(QLatin1Char('[')));
        // McNemar over both seeds: b = 0, c = 16, exact p = 2 / 2^16.
        QCOMPARE(table.rows()[2].significance.pMcNemar, 2.0 / 65536.0);
        QVERIFY(table.toMarkdown().contains(QStringLiteral("| 75.00 ± 7.07 (n=2) | +20.00 | [")));
        QVERIFY(table.toLatex().contains(QStringLiteral("75.00 $\\pm$ 7.07 (n=2) & +20.00")));
        const QStringList csv = table.toCsv().split('\n', Qt::SkipEmptyParts);
        QVERIFY2(csv[3].contains(QStringLiteral(",accuracy,2,0.75,")), qPrintable(csv[3]));
        QCOMPARE(csv[3].section(QLatin1Char(','), -1).toDouble(), 2.0 / 65536.0); // p_mcnemar
    }

    void runCurvesOverlay() {
        QTemporaryDir dir;
        fsllm::testing::writeFakeRun(dir.filePath("r1"), MaskSpec{MaskMode::Decay, 0.5}, 0.75);
        const RunRecord run = RunRecord::load(dir.filePath("r1").toStdString());
        LiveCurvePlot train, eval, scores;
        const CurvePlots plots{&train, &eval, &scores, nullptr};
        QCOMPARE(RunCurves::addRun(plots, run, "r1"), 4); // train, eval, accuracy, F1
        QCOMPARE(train.pointCount("r1/train loss"), 4);
        QCOMPARE(eval.pointCount("r1/eval loss"), 1);
        QCOMPARE(scores.seriesNames(), QStringList({"r1/accuracy", "r1/F1"}));
        RunCurves::removeRun(plots, "r1");
        QVERIFY(train.seriesNames().isEmpty());
    }

    void exportFileStem() {
        QCOMPARE(ExportDialog::fileStem("Train loss"), QStringLiteral("train_loss"));
        QCOMPARE(ExportDialog::fileStem("Accuracy / F1 (dev)"), QStringLiteral("accuracy_f1_dev"));
        QCOMPARE(ExportDialog::fileStem("***"), QStringLiteral("plot"));
    }

    void exportPlotFormats() {
        QTemporaryDir dir;
        LiveCurvePlot plot;
        plot.appendPoint("loss", 1, 2.0);
        plot.appendPoint("loss", 2, 1.0);
        ExportSettings settings;
        settings.width = 300;
        settings.height = 200;
        settings.scale = 1.0;
        QStringList written;
        QString error;
        QVERIFY2(ExportDialog::exportPlot(&plot, dir.filePath("p"), settings, &written, &error),
                 qPrintable(error));
        QCOMPARE(written.size(), 4);
        QImage image(dir.filePath("p.png"));
        QCOMPARE(image.size(), QSize(300, 200));
        settings.pdf = settings.svg = settings.csv = false;
        written.clear();
        QVERIFY(ExportDialog::exportPlot(&plot, dir.filePath("q"), settings, &written, &error));
        QCOMPARE(written, QStringList{dir.filePath("q.png")});
    }

    void lambdaSliderMapping() {
        QCOMPARE(InspectPanel::lambdaForPosition(0), 0.0);
        QCOMPARE(InspectPanel::lambdaForPosition(InspectPanel::kSliderSteps),
                 InspectPanel::kMaxLambda);
        double previous = -1.0;
        for (int p = 0; p <= InspectPanel::kSliderSteps; ++p) {
            const double lambda = InspectPanel::lambdaForPosition(p);
            QVERIFY(lambda > previous);
            QCOMPARE(InspectPanel::positionForLambda(lambda), p);
            previous = lambda;
        }
        // Finer near 0: the first half of the slider covers less than a fifth of the range.
        QVERIFY(InspectPanel::lambdaForPosition(InspectPanel::kSliderSteps / 2) < 1.0);
    }

    void wordsOfPieces() {
        const std::vector<std::string> pieces = {"<s>",    "\u2581The", "\u2581comm", "ittee",
                                                 "\u2581", "said",      "."};
        const auto words = PredictionView::wordsOf(pieces);
        QCOMPARE(words.size(), 3);
        QCOMPARE(words[0].first, QStringLiteral("The"));
        QCOMPARE(words[0].second, 1);
        QCOMPARE(words[1].first, QStringLiteral("committee"));
        QCOMPARE(words[2].first, QStringLiteral("said."));
        QCOMPARE(words[2].second, 5);
        QCOMPARE(PredictionView::tagColor("O").alpha(), 0);
        QCOMPARE(PredictionView::tagColor("B-PER"), PredictionView::tagColor("I-PER"));
    }

    // Busy until bytes arrive, then the share of weight bytes in GiB; one Cancel request, after
    // which progress no longer moves the bar; hidden when finished.
    void modelLoadIndicator() {
        ModelLoadIndicator indicator;
        QSignalSpy cancel(&indicator, &ModelLoadIndicator::cancelRequested);
        QVERIFY(indicator.isHidden());
        QCOMPARE(indicator.permille(), -1);
        indicator.start();
        QVERIFY(!indicator.isHidden());
        QCOMPARE(indicator.permille(), -1); // busy
        const qint64 gib = qint64(1) << 30;
        indicator.setProgress(gib / 2, 2 * gib);
        QCOMPARE(indicator.permille(), 250);
        QCOMPARE(indicator.progressText(), QStringLiteral("weights 0.5 / 2.0 GiB"));
        auto* button = indicator.findChild<QToolButton*>();
        QVERIFY(button);
        QTest::mouseClick(button, Qt::LeftButton);
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(cancel.count(), 1);
        indicator.setProgress(gib, 2 * gib);
        QCOMPARE(indicator.permille(), 250);
        indicator.finish();
        QVERIFY(indicator.isHidden());
        indicator.start(); // the next open: Cancel works again
        QVERIFY(button->isEnabled());
    }

    void stallMeterSeesABlockedLoop() {
        StallMeter meter;
        meter.start();
        QTest::qWait(50);
        QElapsedTimer busy;
        busy.start();
        while (busy.elapsed() < 80)
            std::this_thread::yield(); // the event loop is blocked here
        QTest::qWait(50);
        meter.stop();
        QVERIFY(meter.hasMeasured());
        QVERIFY2(meter.maxStallMs() >= 60.0, qPrintable(QString::number(meter.maxStallMs())));
    }

    // Issue 12, defect 6: GUI errors said "--out" / "--resume" instead of the form's fields.
    void engineMessagesInTheFormsWords() {
        QCOMPARE(FormWording::forForm("field 'out': give the run folder to write (--out RUN_DIR)"),
                 QStringLiteral("Run folder: give the run folder to write"));
        QCOMPARE(FormWording::forForm("field 'lr': must be > 0"),
                 QStringLiteral("Learning rate: must be > 0"));
        const QString taken = FormWording::forForm(
            "/r: already holds a run (run.json); choose another --out, delete it, or resume it "
            "with --resume");
        QVERIFY2(!taken.contains("--"), qPrintable(taken));
        QVERIFY(taken.contains("choose another Run folder"));
        QVERIFY(taken.contains("Resume run"));
        QCOMPARE(FormWording::forForm("x.tsv:3: empty label"),
                 QStringLiteral("x.tsv:3: empty label"));
        QCOMPARE(FormWording::fieldLabel("lora_rank"), QStringLiteral("Rank r"));
    }

    // Issue 12, defect 4 and the runs list: a run's status from its train.log.
    void runStatusFromTheLog() {
        QTemporaryDir dir;
        auto write = [&dir](const QString& name, const QByteArray& log, int ageSeconds) {
            QDir().mkpath(dir.filePath(name));
            QFile file(dir.filePath(name + "/train.log"));
            file.open(QIODevice::WriteOnly);
            file.write(log);
            file.close();
            file.open(QIODevice::ReadWrite);
            file.setFileTime(QDateTime::currentDateTime().addSecs(-ageSeconds),
                             QFileDevice::FileModificationTime);
            return dir.filePath(name);
        };
        const QByteArray start = "2026-01-01 10:00:00  training 9 optimizer steps (3 epochs x 3)\n";
        QCOMPARE(RunStatus::read(write("done",
                                       start + "2026-01-01 10:00:09  finished: completed "
                                               "after 9 steps, 9 s\n",
                                       600))
                     .state,
                 RunState::Completed);
        QCOMPARE(RunStatus::read(write("early",
                                       start + "x  finished: early stopping after 6 "
                                               "steps, 9 s\n",
                                       600))
                     .state,
                 RunState::Completed);
        const RunStatus stopped = RunStatus::read(
            write("stopped", start + "x  finished: stopped by user after 2 steps, 1 s\n", 600));
        QCOMPARE(stopped.state, RunState::Stopped);
        QCOMPARE(stopped.detail, QStringLiteral("stopped by user"));
        const RunStatus failed =
            RunStatus::read(write("failed", "x  error: bad.tsv:3: empty label\n", 600));
        QCOMPARE(failed.state, RunState::Failed);
        QCOMPARE(failed.detail, QStringLiteral("bad.tsv:3: empty label"));
        QCOMPARE(RunStatus::read(write("nan", start + "x  training failed: loss became nan\n", 600))
                     .state,
                 RunState::Failed);
        QCOMPARE(RunStatus::read(write("live", start, 5)).state, RunState::Running);
        QCOMPARE(RunStatus::read(write("killed", start, 600)).state, RunState::Stopped);
        QCOMPARE(RunStatus::read(write("never", "x  reading train data a.tsv\n", 600)).state,
                 RunState::Failed);
        // A resumed run that then completed is completed.
        QCOMPARE(RunStatus::read(write("resumed",
                                       start +
                                           "x  finished: stopped by user after 2 "
                                           "steps, 1 s\nx  resumed from step 2 "
                                           "(epoch 1)\n" +
                                           start +
                                           "x  finished: completed after 9 steps, "
                                           "5 s\n",
                                       600))
                     .state,
                 RunState::Completed);
        QCOMPARE(RunStatus::read(dir.filePath("done"), /*active=*/true).state, RunState::Running);
        // A job's lock decides (a CLI job in another process holds it the same way): running
        // however quiet the log, and not running once dropped however fresh the log.
        const QString locked = write("locked", start, 600);
        {
            RunLock job(locked.toStdString());
            const RunStatus running = RunStatus::read(locked);
            QCOMPARE(running.state, RunState::Running);
            QCOMPARE(running.detail, QStringLiteral("pid %1").arg(QCoreApplication::applicationPid()));
        }
        QCOMPARE(RunStatus::read(write("locked", start, 5)).state, RunState::Stopped);
        QCOMPARE(RunStatus::name(RunState::Failed), QStringLiteral("failed"));
    }
};

QTEST_MAIN(TestUiParts)
#include "tst_uiparts.moc"
