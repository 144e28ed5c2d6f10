// The studio end to end on a tiny generated model (TinyCheckpoint) and a tiny generated TSV data
// set, under the offscreen platform: a short training fills the live plots; stopping midway
// leaves a valid run folder; the inspection heatmaps are T x T with rows summing to 1; the three
// mask matrices agree on and below the diagonal and differ above it; the report writes figures
// and tables; a bad data file is reported in the window, which stays up. The GUI thread's longest
// event-loop stall during training is measured and printed.
#include "atomicdirectory.h"
#include "attentioncomparison.h"
#include "attentionheatmap.h"
#include "datapreview.h"
#include "inspectpanel.h"
#include "livecurveplot.h"
#include "logpanel.h"
#include "mainwindow.h"
#include "modelloadindicator.h"
#include "modelsummaryview.h"
#include "predictionview.h"
#include "probabilitybars.h"
#include "reportwriter.h"
#include "runrecord.h"
#include "runspanel.h"
#include "stallmeter.h"
#include "studiotestdata.h"
#include "tinycheckpoint.h"
#include "trainingmonitor.h"
#include "trainingworker.h"
#include "trainpanel.h"
#include "trainsettingsform.h"

#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QSemaphore>
#include <QToolButton>
#include <QtTest>

#include <cmath>

using namespace fsllm;

namespace {

constexpr int kTrainTimeoutMs = 240000;

void writeTsv(const QString& path, int rows, unsigned seed) {
    testing::writeCueTsv(path, rows, seed);
}

void configureForm(TrainSettingsForm* form, const QString& model, const QString& train,
                   const QString& dev, const QString& runDir, int epochs) {
    testing::configureShortRun(form, model, train, dev, runDir, epochs);
}

double rowSum(const AttentionHeatmap* map, int row) {
    double sum = 0.0;
    for (int col = 0; col < map->tokenCount(); ++col)
        sum += map->value(row, col);
    return sum;
}

} // namespace

class TestStudio : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model, m_train, m_dev, m_bad;
    QString m_completedRun, m_stoppedRun;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    // Opens the tiny model in `panel`'s worker and waits for it.
    void openModel(InspectPanel* panel) {
        QSignalSpy opened(panel, &InspectPanel::modelOpened);
        panel->openModel(m_model);
        QVERIFY(opened.wait(60000));
        QVERIFY(panel->isModelReady());
    }

    void inspect(InspectPanel* panel, const QString& sentence, double lambda) {
        QSignalSpy inspected(panel, &InspectPanel::inspected);
        panel->setLambda(lambda);
        panel->setSentence(sentence);
        panel->inspectNow();
        QVERIFY(inspected.wait(60000));
        // Later (debounced) results of the same query may still arrive: drain them.
        while (inspected.wait(2 * InspectPanel::kDebounceMs)) {
        }
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        testing::isolateSettings(path("settings"), QStringLiteral("tst_studio"));

        m_model = path("model");
        testing::writeTinyModel(m_model, 0.1);
        m_train = path("train.tsv");
        m_dev = path("dev.tsv");
        writeTsv(m_train, 96, 1);
        writeTsv(m_dev, 24, 2);
        m_bad = path("bad.tsv");
        QFile bad(m_bad);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("sentence\tlabel\nonly one column here\n\xff\xfe broken utf-8\tneg\n");
    }

    void trainingFillsPlots() {
        TrainPanel panel;
        panel.resize(1200, 800);
        panel.show();
        m_completedRun = path("runs/completed");
        configureForm(panel.form(), m_model, m_train, m_dev, m_completedRun, 2);
        QSignalSpy steps(panel.worker(), &TrainingWorker::stepped);
        QSignalSpy evals(panel.worker(), &TrainingWorker::evaluated);
        QSignalSpy finished(panel.worker(), &TrainingWorker::finished);
        QSignalSpy failed(panel.worker(), &TrainingWorker::failed);
        panel.startTraining();
        QVERIFY(panel.isTraining());
        QVERIFY(steps.wait(kTrainTimeoutMs));
        QTest::qWait(10);
        const int early = panel.monitor()->trainLossPlot()->pointCount("train loss");
        QVERIFY(finished.wait(kTrainTimeoutMs) || !finished.isEmpty());
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
        QVERIFY(!panel.isTraining());

        const TrainingMonitor* monitor = panel.monitor();
        const int late = monitor->trainLossPlot()->pointCount("train loss");
        QCOMPARE(late, steps.size()); // every step record became a point
        QVERIFY2(late > early, qPrintable(QString("%1 -> %2").arg(early).arg(late)));
        QCOMPARE(late, 24); // 96 examples / batch 8 * 2 epochs, logged every step
        QCOMPARE(monitor->learningRatePlot()->pointCount("lr"), late);
        QCOMPARE(monitor->evalLossPlot()->pointCount("eval loss"), evals.size());
        QCOMPARE(monitor->scoresPlot()->pointCount("accuracy"), evals.size());
        QCOMPARE(monitor->scoresPlot()->pointCount("F1"), evals.size());
        QCOMPARE(evals.size(), 6); // every 4 steps
        QCOMPARE(monitor->progressBar()->value(), 24);
        const auto summary = finished[0][0].value<TrainingSummary>();
        QVERIFY(summary.completed);

        const StallMeter* stall = panel.stallMeter();
        QVERIFY(stall->hasMeasured());
        qInfo("GUI event loop: longest stall during the short training %.1f ms over %d ticks",
              stall->maxStallMs(), stall->ticks());
    }

    void stopMidwayLeavesValidRun() {
        TrainPanel panel;
        panel.show();
        m_stoppedRun = path("runs/stopped");
        configureForm(panel.form(), m_model, m_train, m_dev, m_stoppedRun, 50);
        QSignalSpy steps(panel.worker(), &TrainingWorker::stepped);
        QSignalSpy finished(panel.worker(), &TrainingWorker::finished);
        panel.startTraining();
        QVERIFY(steps.wait(kTrainTimeoutMs));
        panel.togglePause();
        QVERIFY(panel.isPaused());
        QTest::qWait(100);
        panel.stopTraining();
        QVERIFY(finished.wait(kTrainTimeoutMs) || !finished.isEmpty());
        const auto summary = finished[0][0].value<TrainingSummary>();
        QVERIFY(!summary.completed);
        QCOMPARE(QString::fromStdString(summary.stopReason), QStringLiteral("stopped by user"));
        QVERIFY(summary.steps < 50 * 12);

        const RunRecord run = RunRecord::load(m_stoppedRun.toStdString());
        QVERIFY(!run.steps.empty());
        QCOMPARE(run.config.epochs, 50);
        QVERIFY(!AtomicDirectory::resolve(m_stoppedRun.toStdString() + "/checkpoint").empty());
        QVERIFY(panel.messageText().contains(QStringLiteral("stopped by user")));
    }

    void inspectHeatmapsAreStochastic() {
        InspectPanel panel;
        panel.resize(1200, 600);
        panel.show();
        openModel(&panel);
        inspect(&panel, QStringLiteral("the film was good and the music was a story"), 0.5);
        const InspectOutcome& outcome = panel.lastOutcome();
        const int t = outcome.causal.tokenCount;
        QVERIFY(t > 3);
        AttentionComparison* comparison = panel.comparison();
        for (int head : {AttentionComparison::kMeanHead, 0, outcome.causal.heads - 1}) {
            comparison->setHead(head);
            for (int layer : {0, outcome.causal.layers - 1}) {
                comparison->setLayer(layer);
                for (int m = 0; m < AttentionComparison::MapCount; ++m) {
                    const AttentionHeatmap* map = comparison->heatmap(AttentionComparison::Map(m));
                    QCOMPARE(map->tokenCount(), t);
                    QCOMPARE(map->cellCount(), t * t);
                    QCOMPARE(map->kind(), HeatmapKind::Probabilities);
                    for (int row = 0; row < t; ++row)
                        QVERIFY2(std::abs(rowSum(map, row) - 1.0) < 1e-4,
                                 qPrintable(QString("map %1 row %2 sums to %3")
                                                .arg(m)
                                                .arg(row)
                                                .arg(rowSum(map, row))));
                }
            }
        }
        // Causal attention never looks ahead; bidirectional does.
        const AttentionHeatmap* causal = comparison->heatmap(AttentionComparison::CausalMap);
        const AttentionHeatmap* bidi = comparison->heatmap(AttentionComparison::BidirectionalMap);
        QCOMPARE(causal->value(0, t - 1), 0.0f);
        QVERIFY(bidi->value(0, t - 1) > 0.0f);
        QVERIFY(panel.tokensText().contains(QString::number(t)));
    }

    void maskMatricesAgreeBelowDiagonal() {
        InspectPanel panel;
        panel.show();
        openModel(&panel);
        inspect(&panel, QStringLiteral("a story of people in the city"), 1.0);
        AttentionComparison* comparison = panel.comparison();
        comparison->setShowMask(true);
        const AttentionHeatmap* causal = comparison->heatmap(AttentionComparison::CausalMap);
        const AttentionHeatmap* decay = comparison->heatmap(AttentionComparison::DecayMap);
        const AttentionHeatmap* bidi = comparison->heatmap(AttentionComparison::BidirectionalMap);
        const int t = causal->tokenCount();
        const double lambda = panel.lastOutcome().decay.mask.lambda;
        QVERIFY(t > 3);
        QVERIFY(lambda > 0.5 && lambda < 1.5);
        for (const AttentionHeatmap* map : {causal, decay, bidi}) {
            QCOMPARE(map->kind(), HeatmapKind::AdditiveMask);
            QCOMPARE(map->cellCount(), t * t);
        }
        for (int i = 0; i < t; ++i)
            for (int j = 0; j < t; ++j) {
                if (j <= i) {
                    QCOMPARE(causal->value(i, j), 0.0f);
                    QCOMPARE(decay->value(i, j), 0.0f);
                    QCOMPARE(bidi->value(i, j), 0.0f);
                    continue;
                }
                QVERIFY(std::isinf(causal->value(i, j)) && causal->value(i, j) < 0);
                QCOMPARE(bidi->value(i, j), 0.0f);
                QVERIFY(std::abs(decay->value(i, j) + lambda * (j - i)) < 1e-4);
                QVERIFY(decay->value(i, j) != bidi->value(i, j));
                QVERIFY(decay->value(i, j) != causal->value(i, j));
            }
    }

    void inspectWithTrainedAdapter() {
        QVERIFY(!m_completedRun.isEmpty());
        InspectPanel panel;
        panel.show();
        QSignalSpy opened(&panel, &InspectPanel::modelOpened);
        panel.openModel(m_model, m_completedRun);
        QVERIFY(opened.wait(60000));
        inspect(&panel, QStringLiteral("the film was good"), 0.5);
        const InspectOutcome& outcome = panel.lastOutcome();
        QVERIFY(outcome.hasPrediction);
        QCOMPARE(outcome.prediction.labels.size(), std::size_t(2));
        float total = 0.0f;
        for (float p : outcome.prediction.probabilities)
            total += p;
        QVERIFY(std::abs(total - 1.0f) < 1e-4f);
    }

    // Issue 12, defect 5: the export wrote the previous adapter's prediction after the adapter
    // was cleared; old maps and errors stayed after an error or an empty sentence.
    void inspectDropsStaleResults() {
        QVERIFY(!m_completedRun.isEmpty());
        InspectPanel panel;
        panel.show();
        QSignalSpy opened(&panel, &InspectPanel::modelOpened);
        panel.openModel(m_model, m_completedRun);
        QVERIFY(opened.wait(60000));
        inspect(&panel, QStringLiteral("the film was good"), 0.5);
        QVERIFY(panel.lastOutcome().hasPrediction);
        auto hasPredictionPlot = [&panel] {
            for (const NamedPlot& plot : panel.plots())
                if (plot.name == QLatin1String("Prediction"))
                    return true;
            return false;
        };
        QVERIFY(hasPredictionPlot());
        // The heatmaps' titles say what they show (issue 12, defect 7).
        const QString title = panel.comparison()->heatmap(AttentionComparison::DecayMap)->title();
        QVERIFY2(title.contains(QStringLiteral("layer")) &&
                     title.contains(QStringLiteral("model")) &&
                     title.contains(QStringLiteral("completed")),
                 qPrintable(title));

        panel.setAdapter(QString()); // "Base model"
        QVERIFY(!hasPredictionPlot());
        QCOMPARE(panel.prediction()->bars()->barCount(), 0);
        QVERIFY(opened.wait(60000));
        inspect(&panel, QStringLiteral("the film was good"), 0.5);
        QVERIFY(!panel.lastOutcome().hasPrediction);
        QVERIFY(!hasPredictionPlot());
        QCOMPARE(panel.prediction()->bars()->barCount(), 0);
        QVERIFY(panel.comparison()
                    ->heatmap(AttentionComparison::DecayMap)
                    ->title()
                    .contains(QStringLiteral("no adapter")));

        // An empty sentence clears the maps and the tokens.
        QVERIFY(panel.comparison()->heatmap(AttentionComparison::CausalMap)->tokenCount() > 0);
        panel.setSentence(QString());
        panel.inspectNow();
        QCOMPARE(panel.comparison()->heatmap(AttentionComparison::CausalMap)->tokenCount(), 0);
        QVERIFY(panel.tokensText().isEmpty());
        QVERIFY(!panel.hasOutcome());

        // A model that fails to open clears everything and shows its error; a good one clears
        // the error again.
        inspect(&panel, QStringLiteral("a story of people"), 0.5);
        QSignalSpy failed(&panel, &InspectPanel::modelFailed);
        panel.openModel(path("no-such-model"));
        QVERIFY(failed.wait(60000));
        QVERIFY(!panel.errorText().isEmpty());
        QCOMPARE(panel.comparison()->heatmap(AttentionComparison::CausalMap)->tokenCount(), 0);
        QVERIFY(!panel.hasOutcome());
        panel.openModel(m_model);
        QVERIFY(opened.wait(60000));
        QVERIFY(panel.errorText().isEmpty());
    }

    void reportWritesFiguresAndTables() {
        QVERIFY(!m_completedRun.isEmpty() && !m_stoppedRun.isEmpty());
        ReportWriter writer;
        const QString out = path("report");
        QVERIFY2(writer.run({m_completedRun, m_stoppedRun}, out), qPrintable(writer.errorString()));
        QCOMPARE(writer.runs().size(), std::size_t(2));
        for (const char* figure : {"train_loss", "eval_loss", "scores"}) {
            const QString base = out + '/' + figure;
            QImage png(base + ".png");
            QVERIFY2(!png.isNull(), qPrintable(base + ".png"));
            QVERIFY(png.width() >= 720);
            QFile pdf(base + ".pdf");
            QVERIFY(pdf.open(QIODevice::ReadOnly));
            QVERIFY(pdf.read(5) == "%PDF-");
            QFile svg(base + ".svg");
            QVERIFY(svg.open(QIODevice::ReadOnly));
            QVERIFY(svg.readAll().contains("<svg"));
            QVERIFY(QFileInfo(base + ".csv").size() > 0);
        }
        QFile csv(out + "/results.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[1].startsWith("completed,decay,0.5,"));
        QVERIFY(QFileInfo(out + "/results.md").size() > 0);
        QVERIFY(QFileInfo(out + "/results.tex").size() > 0);
        // A folder of runs stands for its runs; a folder without runs is an error.
        ReportWriter folder;
        QVERIFY(folder.loadRuns({path("runs")}));
        QCOMPARE(folder.runs().size(), std::size_t(2));
        ReportWriter empty;
        QVERIFY(!empty.run({path("settings")}, path("report2")));
        QVERIFY(empty.errorString().contains(QStringLiteral("run.json")));
    }

    void runsTabOverlaysCheckedRuns() {
        RunsPanel panel;
        panel.show();
        QSignalSpy changed(&panel, &RunsPanel::runsChanged);
        panel.setRunsFolder(path("runs"));
        QVERIFY(changed.wait(10000));
        QCOMPARE(panel.runCount(), 2);
        QCOMPARE(panel.checkedRunDirs().size(), 2);
        QCOMPARE(panel.table().rowCount(), 2);
        QVERIFY(panel.curvePlots().trainLoss->seriesNames().contains("completed/train loss"));
        QVERIFY(panel.curvePlots().scores->seriesNames().contains("stopped/accuracy") ||
                panel.curvePlots().scores->seriesNames().contains("completed/accuracy"));
        panel.setChecked(m_stoppedRun, false);
        QCOMPARE(panel.table().rowCount(), 1);
        QCOMPARE(panel.curvePlots().trainLoss->seriesNames(), QStringList{"completed/train loss"});
        QString error;
        QVERIFY2(panel.exportTable(path("table.tex"), &error), qPrintable(error));
    }

    void dropFolderOpensModelAndRemembersIt() {
        MainWindow window;
        window.show();
        QSignalSpy opened(window.inspectPanel(), &InspectPanel::modelOpened);
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(m_model)});
        TrainPanel* train = window.trainPanel();
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(train, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(train, &drop);
        QCOMPARE(train->form()->modelDir(), m_model);
        QVERIFY(opened.wait(60000));
        QVERIFY(train->summaryView()->hasSummary());
        QCOMPARE(QSettings().value("recentModels").toStringList().value(0),
                 QDir(m_model).absolutePath());
        delete mime;
    }

    // Opening shows the status bar's progress bar, fed with the weight bytes (ending at all of
    // them), and hides it once open; Cancel stops an open: "opening cancelled", Start stays
    // disabled, the model does not go into Recent models, and opening again works.
    void openingShowsProgressAndCancels() {
        QSettings().remove(QStringLiteral("recentModels"));
        MainWindow window;
        window.show();
        ModelLoadIndicator* indicator = window.loadIndicator();
        QVERIFY(indicator->isHidden());
        QSignalSpy opened(window.inspectPanel(), &InspectPanel::modelOpened);
        QSignalSpy failed(window.inspectPanel(), &InspectPanel::modelFailed);
        QSignalSpy progress(window.inspectPanel(), &InspectPanel::loadProgress);
        window.openModel(m_model);
        QVERIFY(!indicator->isHidden());
        QVERIFY(opened.wait(60000));
        QVERIFY(indicator->isHidden());
        QVERIFY(progress.size() >= 2);
        qint64 previous = -1;
        for (const auto& call : progress) {
            QVERIFY(call.at(1).toLongLong() >= previous);
            previous = call.at(1).toLongLong();
        }
        QCOMPARE(progress.last().at(1).toLongLong(), progress.last().at(2).toLongLong());
        QVERIFY(progress.last().at(2).toLongLong() > 0);

        // Cancel while the open waits in the worker's queue (held by a gate): the open stops at
        // its first check, before any weight.
        const QString copy = path("model-to-cancel");
        QVERIFY(QDir().mkpath(copy));
        for (const QString& name : QDir(m_model).entryList(QDir::Files))
            QVERIFY(QFile::copy(m_model + "/" + name, copy + "/" + name));
        opened.clear();
        QSemaphore gate;
        QMetaObject::invokeMethod(
            window.inspectPanel()->worker(), [&gate] { gate.acquire(); }, Qt::QueuedConnection);
        window.openModel(copy);
        QVERIFY(!indicator->isHidden());
        QTest::mouseClick(indicator->findChild<QToolButton*>(), Qt::LeftButton);
        gate.release();
        QVERIFY(failed.wait(60000));
        QCOMPARE(failed.last().at(0).toString(), QDir(copy).absolutePath());
        QCOMPARE(failed.last().at(1).toString(), QStringLiteral("opening cancelled"));
        QVERIFY(indicator->isHidden());
        QVERIFY(!window.inspectPanel()->isModelReady());
        QVERIFY(!window.trainPanel()->canStart());
        QVERIFY(!QSettings().value("recentModels").toStringList().contains(
            QDir(copy).absolutePath()));
        QVERIFY(opened.isEmpty());
        window.openModel(copy); // a cancel is for that open only
        QVERIFY(opened.wait(60000));
        QVERIFY(window.inspectPanel()->isModelReady());
    }

    void closingTheWindowStopsTraining() {
        const QString runDir = path("runs-closed/run");
        {
            MainWindow window;
            window.show();
            QSignalSpy opened(window.inspectPanel(), &InspectPanel::modelOpened);
            window.openModel(m_model);
            QVERIFY(opened.wait(60000));
            TrainPanel* train = window.trainPanel();
            configureForm(train->form(), m_model, m_train, m_dev, runDir, 50);
            QSignalSpy steps(train->worker(), &TrainingWorker::stepped);
            train->startTraining();
            QVERIFY(steps.wait(kTrainTimeoutMs));
            QVERIFY(window.close()); // stops the job, waits for its checkpoint, joins threads
        }
        const RunRecord run = RunRecord::load(runDir.toStdString());
        QVERIFY(!run.steps.empty());
        QVERIFY(!AtomicDirectory::resolve(runDir.toStdString() + "/checkpoint").empty());
    }

    void badDataFileShowsMessage() {
        MainWindow window;
        window.show();
        QSignalSpy opened(window.inspectPanel(), &InspectPanel::modelOpened);
        window.openModel(m_model);
        QVERIFY(opened.wait(60000));
        QVERIFY(window.trainPanel()->summaryView()->hasSummary());
        DataPreview* preview = window.trainPanel()->trainPreview();
        QSignalSpy previewFailed(preview, &DataPreview::failed);
        window.setDataFiles(m_bad, m_dev);
        QVERIFY(previewFailed.wait(10000) || !previewFailed.isEmpty());
        QVERIFY(preview->errorText().contains(QStringLiteral("bad.tsv")));
        QVERIFY(window.isVisible());

        TrainPanel* train = window.trainPanel();
        // Start is blocked while the preview says the file is unreadable: no run folder.
        QVERIFY(!train->canStart());
        QVERIFY(train->startBlocker().contains(QStringLiteral("bad.tsv")));
        train->form()->setRunFolder(path("runs-bad/run"));
        train->startTraining();
        QVERIFY(!train->isTraining());
        QVERIFY(train->messageText().contains(QStringLiteral("bad.tsv")));
        QTest::qWait(100);
        QVERIFY(!QFileInfo::exists(path("runs-bad/run")));
        QVERIFY(window.isVisible());
        // The worker checks too (a file can break after its preview): it fails, still no folder.
        QSignalSpy failed(train->worker(), &TrainingWorker::failed);
        TrainingConfig config = train->form()->config();
        QMetaObject::invokeMethod(
            train->worker(), [worker = train->worker(), config] { worker->start(config); },
            Qt::QueuedConnection);
        QVERIFY(failed.wait(60000) || !failed.isEmpty());
        QVERIFY(failed[0][0].toString().contains(QStringLiteral("bad.tsv")));
        QVERIFY(!QFileInfo::exists(path("runs-bad/run")));
        // The window still works: a good file previews fine afterwards.
        QSignalSpy loaded(preview, &DataPreview::loaded);
        window.setDataFiles(m_train, m_dev);
        QVERIFY(loaded.wait(10000) || !loaded.isEmpty());
        QCOMPARE(preview->exampleCount(), 96);
        QCOMPARE(preview->labels(), QStringList({"neg", "pos"}));
        QCOMPARE(preview->previewRowCount(), DataPreview::kPreviewRows);
    }
};

QTEST_MAIN(TestStudio)
#include "tst_studio.moc"
