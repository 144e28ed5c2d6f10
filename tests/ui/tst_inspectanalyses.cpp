// The Inspect tab's slower analyses end to end on a tiny generated model with a saved 2-label
// adapter: token attribution under the three masks and the lambda sweep arrive after the maps,
// from the inspect worker; a query superseded while its analyses run never delivers them; the
// all-heads grid opens a head in the big maps and the difference maps follow it; two runs (a
// decay one and a causal one) side by side.
#include "adapterio.h"
#include "attentioncomparison.h"
#include "attentiondifference.h"
#include "attentionheadgrid.h"
#include "attentionheadsview.h"
#include "attentionheatmap.h"
#include "attributionview.h"
#include "exportdialog.h"
#include "classificationhead.h"
#include "classifierspec.h"
#include "inspectpanel.h"
#include "inspectworker.h"
#include "lambdasweepview.h"
#include "runcomparisonview.h"
#include "runenginecache.h"
#include "loadedmodel.h"
#include "tinycheckpoint.h"

#include <QComboBox>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace fsllm;

class TestInspectAnalyses : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_model, m_adapter, m_causalAdapter, m_taggerAdapter;

    // A random LoRA adapter with a 2-label head (a 3-tag one for token tasks), trained (so to
    // speak) with `mask`.
    void saveAdapter(const QString& directory, const MaskSpec& mask, int seed,
                     TaskKind task = TaskKind::Sequence) {
        const std::vector<std::string> labels = task == TaskKind::Sequence
                                                    ? std::vector<std::string>{"neg", "pos"}
                                                    : std::vector<std::string>{"O", "B-X", "I-X"};
        LoadedModel model = LoadedModel::open(m_model.toStdString(), "cpu", "float32", false);
        AdapterConfig config;
        model.decoder->enableLora(config.lora, config.targets);
        torch::manual_seed(seed);
        {
            torch::NoGradGuard noGrad;
            for (auto& [path, layer] : model.decoder->loraLayers())
                layer->loraB.normal_(0.0, 0.05);
        }
        ClassificationHead head(model.config.hiddenSize, static_cast<int64_t>(labels.size()),
                                HeadKind::Fs, 0, 1e-5, torch::kCPU);
        AdapterIo::save(directory.toStdString(), *model.decoder, head.get(), config);
        ClassifierSpec spec;
        spec.task = task;
        spec.labels = labels;
        spec.mask = mask;
        spec.save(directory.toStdString());
    }

    void openModel(InspectPanel* panel, const QString& adapter) {
        QSignalSpy opened(panel, &InspectPanel::modelOpened);
        panel->openModel(m_model, adapter);
        QVERIFY(opened.wait(60000));
        QVERIFY(panel->isModelReady());
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath("model");
        TinyCheckpointOptions options;
        options.corpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";
        options.qkStd = 0.1;
        TinyCheckpoint::write(m_model.toStdString(), options);
        m_adapter = m_dir.filePath("decay-run");
        saveAdapter(m_adapter, {MaskMode::Decay, 0.5}, 3);
        m_causalAdapter = m_dir.filePath("causal-run");
        saveAdapter(m_causalAdapter, {MaskMode::Causal, 0.0}, 4);
        m_taggerAdapter = m_dir.filePath("tagger-run");
        saveAdapter(m_taggerAdapter, {MaskMode::Decay, 0.5}, 5, TaskKind::Token);
    }

    // The token index every headline names ("token 3 “…” is tagged"), or -1 when they differ.
    static int explainedToken(const AttributionView* view) {
        static const QRegularExpression pattern(QStringLiteral("token (\\d+) "));
        int token = -2;
        for (int mask = 0; mask < AttributionView::kMasks; ++mask) {
            const QRegularExpressionMatch match = pattern.match(view->headline(mask));
            if (!match.hasMatch())
                return -1;
            const int index = match.captured(1).toInt();
            if (token != -2 && index != token)
                return -1;
            token = index;
        }
        return token;
    }

    // A token classifier as adapter: the three masks explain the tag of one token, chosen
    // automatically at first; choosing a token explains that one; a new sentence goes back to
    // the automatic choice.
    void tokenClassifierAttributionExplainsOneToken() {
        InspectPanel panel;
        panel.resize(1400, 800);
        panel.show();
        panel.setAttributionSteps(8);
        QSignalSpy attributed(&panel, &InspectPanel::attributed);
        panel.setSentence(QStringLiteral("the film was good and the music was a story"));
        openModel(&panel, m_taggerAdapter);
        QVERIFY(attributed.count() > 0 || attributed.wait(120000));
        AttributionView* view = panel.attribution();
        QVERIFY(view->hasResults());
        QVERIFY(view->tokenChoiceShown());
        QCOMPARE(view->chosenToken(), -1);
        const int automatic = explainedToken(view);
        QVERIFY2(automatic >= 1, qPrintable(view->headline(0)));

        auto* choice = view->findChild<QComboBox*>(QStringLiteral("attributionToken"));
        QVERIFY(choice);
        QCOMPARE(choice->count(), panel.lastOutcome().causal.tokenCount + 1); // + automatic
        const int wanted = automatic == 2 ? 3 : 2;
        const int index = choice->findData(wanted);
        QVERIFY(index > 0);
        attributed.clear();
        choice->setCurrentIndex(index);
        emit choice->activated(index); // as a user's pick
        QVERIFY(attributed.wait(120000));
        QCOMPARE(explainedToken(view), wanted);
        QCOMPARE(view->chosenToken(), wanted);

        attributed.clear();
        panel.setSentence(QStringLiteral("a story about music"));
        QVERIFY(attributed.wait(120000));
        QCOMPARE(view->chosenToken(), -1);
        QVERIFY(explainedToken(view) >= 1);
    }

    void attributionAndSweepFollowTheMaps() {
        InspectPanel panel;
        panel.resize(1400, 800);
        panel.show();
        panel.setAttributionSteps(16);
        QSignalSpy attributed(&panel, &InspectPanel::attributed);
        QSignalSpy swept(&panel, &InspectPanel::swept);
        panel.setLambda(0.5);
        // Set before the model opens, so the first query is this sentence.
        panel.setSentence(QStringLiteral("the film was good and the music was a story"));
        openModel(&panel, m_adapter);
        QVERIFY(attributed.count() > 0 || attributed.wait(120000));
        QVERIFY(swept.count() >= 1);
        const int t = panel.lastOutcome().causal.tokenCount;
        QVERIFY(t > 3);

        AttributionView* view = panel.attribution();
        QVERIFY(view->hasResults());
        QVERIFY(view->headline(0).contains(QStringLiteral("causal")));
        QVERIFY(view->headline(1).contains(QStringLiteral("decay (λ = 0.5)")));
        QVERIFY(view->headline(2).contains(QStringLiteral("bidirectional")));
        QVERIFY(view->scale(AttributionView::IntegratedGradients) > 0.0);
        QCOMPARE(view->stripHtml(1, AttributionView::GradientTimesInput).count("<span"), t);

        const LambdaSweep& sweep = panel.sweepView()->sweep();
        QCOMPARE(int(sweep.lambdas.size()), AttentionStatistics::kDefaultGridPoints);
        QCOMPARE(sweep.tokenCount(), t);
        const std::vector<double> share = sweep.futureShareOf(-1);
        const std::vector<double> entropy = sweep.entropyOf(-1);
        for (double e : entropy)
            QVERIFY(std::isfinite(e) && e > 0.0);
        // lambda 0 is bidirectional; at lambda 5 the future weights are scaled by e^-5 or less.
        QVERIFY(share.front() > 0.05);
        QVERIFY(share.back() < share.front() / 10.0);
        QVERIFY(std::abs(sweep.causalEntropyOf(-1) - entropy.back()) < entropy.back());
        QVERIFY(!panel.plots().isEmpty());
        // Ctrl+E lists the layers x heads grid among the tab's figures (it writes itself).
        bool gridListed = false;
        for (const NamedPlot& named : panel.plots())
            gridListed = gridListed || (named.name == QStringLiteral("Attention heads grid") &&
                                        !named.plot && named.image);
        QVERIFY(gridListed);
    }

    // Opens numbered by beginOpen(): a newer number silently supersedes an older open (no signal
    // at all: the newer one reports), a cancel fails only the opens numbered so far with
    // "opening cancelled", and the next open runs.
    void supersededAndCancelledOpens() {
        InspectWorker worker;
        QSignalSpy opened(&worker, &InspectWorker::modelOpened);
        QSignalSpy failed(&worker, &InspectWorker::modelFailed);
        QSignalSpy progress(&worker, &InspectWorker::loadProgress);
        const quint64 older = worker.beginOpen();
        const quint64 newer = worker.beginOpen();
        worker.openModel(m_model, QString(), older);
        QCOMPARE(opened.count(), 0);
        QCOMPARE(failed.count(), 0);
        worker.requestOpenCancel();
        worker.openModel(m_model, QString(), newer);
        QCOMPARE(opened.count(), 0);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.last().at(1).toString(), QStringLiteral("opening cancelled"));
        progress.clear();
        worker.openModel(m_model, QString(), worker.beginOpen());
        QCOMPARE(opened.count(), 1);
        QVERIFY(progress.count() >= 2);
        QCOMPARE(progress.first().at(1).toLongLong(), qint64(0));
        QCOMPARE(progress.last().at(1).toLongLong(), progress.last().at(2).toLongLong());
    }

    // Shutdown: after stop() a query's forward stops before its first layer and nothing is
    // emitted, neither a result nor a failure.
    void stoppedWorkerEmitsNothing() {
        InspectWorker worker;
        QSignalSpy opened(&worker, &InspectWorker::modelOpened);
        worker.openModel(m_model, m_adapter);
        QCOMPARE(opened.count(), 1);
        QSignalSpy inspected(&worker, &InspectWorker::inspected);
        QSignalSpy failed(&worker, &InspectWorker::inspectFailed);
        QSignalSpy analysisFailed(&worker, &InspectWorker::analysisFailed);
        worker.stop();
        InspectQuery query;
        query.id = 1;
        query.text = QStringLiteral("the film was good");
        worker.submit(query);
        QTest::qWait(500); // the queued run happens here
        QCOMPARE(inspected.count(), 0);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(analysisFailed.count(), 0);
    }

    // The worker on the test thread: a query submitted from the slot of the first query's
    // `inspected` supersedes that query's sweep and attribution, which never arrive; the new
    // one's do.
    void supersededAnalysesAreDropped() {
        InspectWorker worker;
        QSignalSpy opened(&worker, &InspectWorker::modelOpened);
        worker.openModel(m_model, m_adapter);
        QCOMPARE(opened.count(), 1);
        QList<quint64> inspectedIds, sweptIds, attributedIds;
        connect(&worker, &InspectWorker::inspected, this, [&](const InspectOutcome& outcome) {
            inspectedIds << outcome.id;
            if (outcome.id == 1) {
                InspectQuery second;
                second.id = 2;
                second.text = QStringLiteral("a story of people");
                second.attributionSteps = 8;
                worker.submit(second);
            }
        });
        connect(&worker, &InspectWorker::swept, this,
                [&](const SweepOutcome& outcome) { sweptIds << outcome.id; });
        connect(&worker, &InspectWorker::attributed, this,
                [&](const AttributionOutcome& outcome) {
                    attributedIds << outcome.id;
                    QCOMPARE(outcome.results.size(), std::size_t(3));
                    QCOMPARE(outcome.results[0].tokens.size(),
                             std::size_t(outcome.results[0].integratedGradients.size()));
                });
        InspectQuery first;
        first.id = 1;
        first.text = QStringLiteral("the film was good");
        first.attributionSteps = 8;
        worker.submit(first);
        QTRY_COMPARE_WITH_TIMEOUT(attributedIds.size(), 1, 120000);
        QCOMPARE(inspectedIds, QList<quint64>({1, 2}));
        QCOMPARE(sweptIds, QList<quint64>({2}));
        QCOMPARE(attributedIds, QList<quint64>({2}));
        // A cancel (as when the model changes) also stops the analyses.
        connect(&worker, &InspectWorker::inspected, this, [&](const InspectOutcome& outcome) {
            if (outcome.id == 3)
                worker.cancelPending();
        });
        InspectQuery third = first;
        third.id = 3;
        third.text = QStringLiteral("music and time");
        worker.submit(third);
        QTRY_COMPARE_WITH_TIMEOUT(inspectedIds.size(), 3, 60000);
        QTest::qWait(200);
        QCOMPARE(sweptIds, QList<quint64>({2}));
        QCOMPARE(attributedIds, QList<quint64>({2}));
    }

    void gridOpensAHeadAndDifferencesFollow() {
        InspectPanel panel;
        panel.resize(1400, 800);
        panel.show();
        QSignalSpy inspected(&panel, &InspectPanel::inspected);
        panel.setSentence(QStringLiteral("the city with music"));
        openModel(&panel, QString());
        QVERIFY(inspected.count() > 0 || inspected.wait(60000));
        QVERIFY(panel.attribution()->hint().contains(QStringLiteral("adapter")));
        panel.setPage(InspectPanel::HeadsPage);
        AttentionHeadGrid* grid = panel.headsView()->grid();
        QTRY_VERIFY(grid->isVisible());
        const int layers = panel.lastOutcome().causal.layers;
        const int heads = panel.lastOutcome().causal.heads;
        QCOMPARE(grid->layers(), layers);
        QCOMPARE(grid->heads(), heads);
        QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(0, heads - 1).center());
        QCOMPARE(panel.pages()->currentIndex(), int(InspectPanel::MasksPage));
        QCOMPARE(panel.comparison()->layer(), 0);
        QCOMPARE(panel.comparison()->head(), heads - 1);
        const AttentionHeatmap* diff =
            panel.difference()->heatmap(AttentionDifference::BidirectionalMinusCausal);
        QVERIFY(diff->title().contains(QStringLiteral("layer 0 · head %1").arg(heads - 1)));
        // Bidirectional minus causal: causal puts nothing on the future, so every future cell
        // is >= 0, and each row of the difference sums to 0 (both rows sum to 1).
        const int t = diff->tokenCount();
        QVERIFY(t > 2);
        for (int i = 0; i < t; ++i) {
            double sum = 0.0;
            for (int j = 0; j < t; ++j) {
                sum += diff->value(i, j);
                if (j > i)
                    QVERIFY(diff->value(i, j) >= 0.0f);
            }
            QVERIFY(std::abs(sum) < 1e-4);
        }
        QCOMPARE(diff->kind(), HeatmapKind::Difference);
    }

    void runsSideBySide() {
        RunComparisonView view;
        view.resize(1200, 700);
        view.show();
        view.setAttributionSteps(8);
        view.setInput(m_model, QStringLiteral("the film was good"));
        view.addRun(m_causalAdapter);
        QVERIFY(!view.canCompare()); // one run is not a comparison
        view.addRun(m_adapter);
        view.addRun(m_adapter); // listed once
        QCOMPARE(view.runs().size(), 2);
        view.addRun(m_dir.filePath("no-such-run"));
        QVERIFY(view.canCompare());
        QSignalSpy compared(&view, &RunComparisonView::compared);
        view.compare();
        QVERIFY(compared.wait(120000));
        QCOMPARE(view.columnCount(), 3);
        QVERIFY(view.columnHeadline(0).contains(QStringLiteral("causal-run")));
        QVERIFY(view.columnHeadline(0).contains(QStringLiteral("trained with causal")));
        QVERIFY(view.columnHeadline(1).contains(QStringLiteral("decay (λ = 0.5)")));
        for (int c = 0; c < 2; ++c) {
            QVERIFY(view.columnHeadline(c).contains(QStringLiteral("predicts")));
            const AttentionHeatmap* map = view.columnHeatmap(c);
            const int t = map->tokenCount();
            QVERIFY(t > 3);
            QVERIFY(view.columnStrip(c).count("<span") == t);
            double rowSum = 0.0;
            for (int j = 0; j < t; ++j)
                rowSum += map->value(t - 1, j);
            QVERIFY(std::abs(rowSum - 1.0) < 1e-4);
        }
        // Causal attention never looks ahead; the decay run's does.
        QCOMPARE(view.columnHeatmap(0)->value(0, 1), 0.0f);
        QVERIFY(view.columnHeatmap(1)->value(0, 1) > 0.0f);
        // The missing run shows its error in its own column.
        QVERIFY(view.columnHeadline(2).contains(QStringLiteral("no-such-run")));
        QVERIFY(!view.columnHeadline(2).contains(QStringLiteral("predicts")));
        // New input clears the columns and, compared before, compares again.
        view.removeRun(m_dir.filePath("no-such-run"));
        view.setInput(m_model, QStringLiteral("music and time"));
        QCOMPARE(view.columnCount(), 0);
        QVERIFY(view.isComparing());
        QVERIFY(compared.wait(120000));
        QCOMPARE(view.columnCount(), 2);
        QVERIFY(view.statusText().contains(QStringLiteral("music and time")));
        // A token classifier's column attributes one token's tag.
        view.addRun(m_taggerAdapter);
        view.compare();
        QVERIFY(compared.wait(120000));
        QCOMPARE(view.columnCount(), 3);
        QVERIFY2(view.columnStrip(2).contains(QStringLiteral("of token ")),
                 qPrintable(view.columnStrip(2)));
        QCOMPARE(int(view.columnStrip(2).count("<span")), view.columnHeatmap(2)->tokenCount());
    }

    // The engines a comparison opened are kept while the view lives: another sentence reuses
    // them; removing a run releases its engine, and the view's end releases them all.
    void comparisonsReuseOpenedEngines() {
        auto view = std::make_unique<RunComparisonView>();
        view->setAttributionSteps(4);
        view->setInput(m_model, QStringLiteral("the film was good"));
        view->addRun(m_causalAdapter);
        view->addRun(m_adapter);
        const std::shared_ptr<RunEngineCache> engines = view->engineCache();
        QCOMPARE(engines->openCount(), 0);
        QSignalSpy compared(view.get(), &RunComparisonView::compared);
        view->compare();
        QVERIFY(compared.wait(120000));
        QCOMPARE(view->columnCount(), 2);
        QCOMPARE(engines->openCount(), 2);
        QCOMPARE(engines->size(), 2);
        const QString firstHeadline = view->columnHeadline(0);

        view->setInput(m_model, QStringLiteral("music and time")); // compares again
        QVERIFY(compared.wait(120000));
        QCOMPARE(view->columnCount(), 2);
        QVERIFY(view->statusText().contains(QStringLiteral("music and time")));
        QCOMPARE(engines->openCount(), 2); // nothing reopened
        view->setInput(m_model, QStringLiteral("the film was good"));
        QVERIFY(compared.wait(120000));
        QCOMPARE(view->columnHeadline(0), firstHeadline); // the same result from a reused engine
        QCOMPARE(engines->openCount(), 2);

        view->removeRun(m_causalAdapter);
        QCOMPARE(engines->size(), 1);
        view.reset(); // the view closes
        QCOMPARE(engines->size(), 0);
    }
};

QTEST_MAIN(TestInspectAnalyses)
#include "tst_inspectanalyses.moc"
