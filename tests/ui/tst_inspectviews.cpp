// The Inspect tab's analysis views on synthetic results (no model, no worker): attention
// statistics (entropy, future share, the lambda grid), the difference maps, the three-mask view's
// colour scales, the all-heads page (click opens a head) and the attribution strips.
#include "attentioncomparison.h"
#include "attentiondifference.h"
#include "attentionheadgrid.h"
#include "attentionheadsview.h"
#include "attentionheatmap.h"
#include "attentionstatistics.h"
#include "attributionview.h"
#include "exportdialog.h"
#include "lambdasweepplot.h"
#include "lambdasweepview.h"

#include <QDir>
#include <QImage>
#include <QSettings>
#include <QStandardPaths>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace fsllm;

namespace {

const std::vector<std::string> kTokens = {"<s>", "\u2581the", "\u2581film", "\u2581was"};

// 2 layers x 2 heads over kTokens under `mask`: causal rows are uniform over keys 0..i;
// bidirectional and decay rows uniform over all keys, except that head 1 of layer 1 puts
// everything on key 0. Decay's rows are scaled by `tilt` on the future half (not normalised;
// enough for the views).
InspectResult result(const MaskSpec& mask, float tilt = 1.0f) {
    InspectResult r;
    r.tokens = kTokens;
    r.mask = mask;
    r.layers = 2;
    r.heads = 2;
    r.tokenCount = int(kTokens.size());
    const int t = r.tokenCount;
    for (int l = 0; l < r.layers; ++l)
        for (int h = 0; h < r.heads; ++h)
            for (int i = 0; i < t; ++i)
                for (int j = 0; j < t; ++j) {
                    float p = 0.0f;
                    if (l == 1 && h == 1)
                        p = j == 0 ? 1.0f : 0.0f;
                    else if (mask.mode == MaskMode::Causal)
                        p = j <= i ? 1.0f / float(i + 1) : 0.0f;
                    else
                        p = (1.0f / float(t)) * (j > i ? tilt : 1.0f);
                    r.attention.push_back(p);
                }
    return r;
}

AttributionResult attribution(const MaskSpec& mask, const std::string& label, float scale) {
    AttributionResult r;
    r.tokens = kTokens;
    r.mask = mask;
    r.label = label;
    r.labelIndex = 1;
    r.probability = 0.75;
    r.gradientTimesInput = {0.0f, 0.5f * scale, -0.25f * scale, 0.1f};
    r.integratedGradients = {0.0f, 1.0f * scale, -0.5f * scale, 0.25f};
    r.inputScore = 2.0;
    r.baselineScore = 2.0 - (0.5 * scale + 0.25);
    r.steps = 32;
    return r;
}

const MaskSpec kCausal{MaskMode::Causal, 0.0};
const MaskSpec kDecay{MaskMode::Decay, 0.5};
const MaskSpec kBidirectional{MaskMode::Bidirectional, 0.0};

} // namespace

class TestInspectViews : public QObject {
    Q_OBJECT

private slots:
    void entropyAndFutureShare() {
        const InspectResult causal = result(kCausal);
        const std::vector<double> entropy = AttentionStatistics::rowEntropy(causal);
        QCOMPARE(entropy.size(), kTokens.size());
        // Row i: three heads uniform over i+1 keys (entropy ln(i+1)), one one-hot (0).
        for (int i = 0; i < 4; ++i)
            QVERIFY(std::abs(entropy[std::size_t(i)] - 0.75 * std::log(double(i + 1))) < 1e-6);
        for (double share : AttentionStatistics::futureShare(causal))
            QCOMPARE(share, 0.0);
        const std::vector<double> share = AttentionStatistics::futureShare(result(kBidirectional));
        // Row i, uniform heads: (T-1-i)/T of the weight is on later keys.
        for (int i = 0; i < 4; ++i)
            QVERIFY(std::abs(share[std::size_t(i)] - 0.75 * (3.0 - i) / 4.0) < 1e-6);
        InspectResult empty = causal;
        empty.attention.clear();
        QVERIFY(AttentionStatistics::rowEntropy(empty).empty());
    }

    void lambdaGridAndSweepSeries() {
        const std::vector<double> grid = AttentionStatistics::lambdaGrid(17, 5.0);
        QCOMPARE(grid.size(), std::size_t(17));
        QCOMPARE(grid.front(), 0.0);
        QVERIFY(std::abs(grid.back() - 5.0) < 1e-12);
        for (std::size_t k = 1; k < grid.size(); ++k) {
            QVERIFY(grid[k] > grid[k - 1]);
            if (k >= 2) // finer near 0
                QVERIFY(grid[k] - grid[k - 1] > grid[k - 1] - grid[k - 2]);
        }
        LambdaSweep sweep;
        sweep.lambdas = {0.0, 1.0};
        sweep.tokens = {"a", "b"};
        sweep.entropy = {1.0, 3.0, 0.5, 1.5};
        sweep.futureShare = {0.4, 0.0, 0.2, 0.0};
        sweep.causalEntropy = {0.0, 1.0};
        QCOMPARE(sweep.entropyOf(-1), std::vector<double>({2.0, 1.0}));
        QCOMPARE(sweep.entropyOf(1), std::vector<double>({3.0, 1.5}));
        QCOMPARE(sweep.futureShareOf(0), std::vector<double>({0.4, 0.2}));
        QCOMPARE(sweep.causalEntropyOf(-1), 0.5);

        LambdaSweepView view;
        view.setSweep(sweep);
        QVERIFY(view.hasSweep());
        QCOMPARE(view.plot()->pointCount(), 2);
        view.setToken(1);
        QCOMPARE(view.token(), 1);
        QCOMPARE(view.plot()->entropyGraph()->data()->at(0)->value, 3.0);
        view.setSweep(sweep); // the same tokens again: the chosen token stays
        QCOMPARE(view.token(), 1);
        view.setContext(QStringLiteral("model tiny\nadapter run-a"));
        QVERIFY(view.plot()->title().contains(QStringLiteral("adapter run-a")));
        QCOMPARE(view.plots().size(), 1);
        view.clear();
        QVERIFY(!view.hasSweep());
        QCOMPARE(view.plot()->pointCount(), 0);
    }

    void differenceMapsSubtractCausal() {
        AttentionDifference difference;
        difference.setContext(QStringLiteral("model tiny\nadapter run-a"));
        const InspectResult causal = result(kCausal);
        const InspectResult decay = result(kDecay, 0.5f);
        const InspectResult bidirectional = result(kBidirectional);
        difference.setResults(causal, decay, bidirectional, 0, 1);
        const AttentionHeatmap* dc = difference.heatmap(AttentionDifference::DecayMinusCausal);
        const AttentionHeatmap* bc =
            difference.heatmap(AttentionDifference::BidirectionalMinusCausal);
        QCOMPARE(dc->kind(), HeatmapKind::Difference);
        QCOMPARE(dc->tokenCount(), 4);
        // Row 0: causal 1 on key 0; bidirectional 1/4 everywhere -> -3/4 there, +1/4 ahead.
        QVERIFY(std::abs(bc->value(0, 0) + 0.75f) < 1e-6f);
        QVERIFY(std::abs(bc->value(0, 3) - 0.25f) < 1e-6f);
        QVERIFY(std::abs(dc->value(0, 3) - 0.125f) < 1e-6f);
        QCOMPARE(difference.range(), double(0.75f));
        for (const AttentionHeatmap* map : {dc, bc})
            QCOMPARE(map->colorMap()->dataRange(), QCPRange(-double(0.75f), double(0.75f)));
        QVERIFY(dc->title().contains(QStringLiteral("decay (λ = 0.5) − causal")));
        QVERIFY(bc->title().contains(QStringLiteral("bidirectional (λ = 0) − causal")));
        for (const AttentionHeatmap* map : {dc, bc}) {
            QVERIFY(map->title().contains(QStringLiteral("layer 0 · head 1")));
            QVERIFY(map->title().contains(QStringLiteral("model tiny")));
            QVERIFY(map->title().contains(QStringLiteral("adapter run-a")));
        }
        // The mean of heads of layer 1, where one head is one-hot on key 0 in every mask.
        difference.setResults(causal, decay, bidirectional, 1, AttentionComparison::kMeanHead);
        QVERIFY(dc->title().contains(QStringLiteral("mean of heads")));
        QCOMPARE(difference.plots().size(), 2);
        QVERIFY(difference.plots()[0].name.contains(QStringLiteral("minus causal")));
        // Results of different sentences are refused rather than subtracted.
        InspectResult other = bidirectional;
        other.tokens[1] = "\u2581a";
        difference.setResults(causal, decay, other, 0, 0);
        QCOMPARE(dc->tokenCount(), 0);
    }

    void comparisonScales() {
        AttentionComparison comparison;
        comparison.setResults(result(kCausal), result(kDecay, 0.5f), result(kBidirectional));
        QSignalSpy changed(&comparison, &AttentionComparison::viewChanged);
        comparison.setLayer(0);
        comparison.setHead(0);
        // Global: one range [0, max of the three maps] = [0, 1] (causal row 0).
        const AttentionHeatmap* decay = comparison.heatmap(AttentionComparison::DecayMap);
        QCOMPARE(decay->colorMap()->dataRange(), QCPRange(0.0, 1.0));
        comparison.setLayer(1);
        comparison.setHead(0);
        QCOMPARE(comparison.scale(), AttentionScale::Global);
        comparison.setScale(AttentionScale::PerRow);
        QVERIFY(changed.count() >= 3);
        QCOMPARE(decay->kind(), HeatmapKind::RowScaled);
        for (int row = 0; row < 4; ++row) {
            float top = 0.0f;
            for (int col = 0; col < 4; ++col)
                top = std::max(top, decay->value(row, col));
            QCOMPARE(top, 1.0f);
        }
        QVERIFY(decay->title().contains(QStringLiteral("per row scale")));
        comparison.setScale(AttentionScale::Log);
        QCOMPARE(decay->kind(), HeatmapKind::LogScaled);
        QVERIFY(std::abs(decay->value(0, 0) - std::log10(0.25f)) < 1e-6f);
        comparison.setShowMask(true); // the mask view ignores the attention scale
        QCOMPARE(decay->kind(), HeatmapKind::AdditiveMask);
    }

    void headsViewOpensTheClickedHead() {
        AttentionHeadsView view;
        view.resize(800, 500);
        view.setResults(result(kCausal), result(kDecay, 0.5f), result(kBidirectional));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(view.mask(), AttentionHeadsView::Decay);
        AttentionHeadGrid* grid = view.grid();
        QCOMPARE(grid->layers(), 2);
        QCOMPARE(grid->heads(), 2);
        // Decay row 0 of layer 0 head 0: 1/4 now, 1/8 ahead (tilt 0.5).
        QVERIFY(std::abs(grid->scaledValue(0, 0, 0, 3) - 0.125f) < 1e-6f);
        view.setMask(AttentionHeadsView::Causal);
        QCOMPARE(grid->scaledValue(0, 0, 0, 3), 0.0f);
        view.setScale(AttentionScale::Log);
        QCOMPARE(grid->scale(), AttentionScale::Log);
        QSignalSpy chosen(&view, &AttentionHeadsView::headChosen);
        QTest::mouseClick(grid, Qt::LeftButton, {}, grid->cellRect(1, 0).center());
        QCOMPARE(chosen.count(), 1);
        QCOMPARE(chosen.at(0).at(0).toInt(), 1);
        QCOMPARE(chosen.at(0).at(1).toInt(), 0);
        view.clear();
        QCOMPARE(grid->layers(), 0);
    }

    // The all-heads grid exports as a PNG whose title (drawn on top and in the PNG's Title
    // text) says it is the all-heads grid and names the mask, the scale, the model and the
    // adapter, as the single maps' titles name theirs.
    void headsGridExportNamesWhatItShows() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        AttentionHeadsView view;
        view.resize(800, 500);
        QString error;
        QVERIFY(view.exportTitle().isEmpty());
        QVERIFY(!view.exportImage(dir.filePath("early.png"), &error)); // nothing shown yet
        QVERIFY2(error.contains("early.png"), qPrintable(error));
        QVERIFY(!QFileInfo::exists(dir.filePath("early.png")));

        view.setContext(QStringLiteral("model tiny-llama\nadapter decay-run"));
        view.setResults(result(kCausal), result(kDecay, 0.5f), result(kBidirectional));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QString title = view.exportTitle();
        for (const QString& part : {QStringLiteral("All heads (2 layers x 2 heads)"),
                                    QStringLiteral("decay (λ = 0.5)"),
                                    QStringLiteral("4 tokens"), QStringLiteral("global scale"),
                                    QStringLiteral("model tiny-llama"),
                                    QStringLiteral("adapter decay-run")})
            QVERIFY2(title.contains(part), qPrintable(title + " lacks " + part));
        QCOMPARE(view.exportFileName(), QStringLiteral("all_heads_decay.png"));
        const QString png = dir.filePath(view.exportFileName());
        QVERIFY2(view.exportImage(png, &error), qPrintable(error));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QCOMPARE(image.text(QStringLiteral("Title")), title);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"all_heads_decay.png"});
        // Drawn: dark title text in the top band on white, the cells' colours below it.
        const auto darkIn = [&image](int top, int bottom) {
            for (int y = top; y < bottom; ++y)
                for (int x = 0; x < image.width(); ++x)
                    if (qGray(image.pixel(x, y)) < 100)
                        return true;
            return false;
        };
        const int band = image.height() / 5;
        QVERIFY(darkIn(0, band));
        QCOMPARE(image.pixel(1, 1), qRgb(255, 255, 255));
        const QRgb cell = view.grid()->pixel(0, 0, 0, 0);
        bool cellDrawn = false;
        for (int y = band; y < image.height() && !cellDrawn; ++y)
            for (int x = 0; x < image.width() && !cellDrawn; ++x)
                cellDrawn = image.pixel(x, y) == cell;
        QVERIFY(cellDrawn);
        // Through the export dialog (Ctrl+E), where the Inspect tab lists the grid among its
        // figures: a PNG at the dialog's scale (1 here, so half the width of the 2x export).
        QStandardPaths::setTestModeEnabled(true);
        QSettings().setValue(QStringLiteral("export/folder"), dir.filePath("dialog"));
        QSettings().setValue(QStringLiteral("export/scale"), 1.0);
        ExportDialog dialog({NamedPlot{QStringLiteral("Attention heads grid"), nullptr,
                                       [&view](const QString& path, double scale, QString* e) {
                                           return view.exportImage(path, e, scale);
                                       }}});
        QStringList written;
        QVERIFY2(dialog.exportChosen(&written, &error), qPrintable(error));
        QCOMPARE(written, QStringList{dir.filePath("dialog/attention_heads_grid.png")});
        const QImage half(written.front());
        QVERIFY(!half.isNull());
        QVERIFY2(std::abs(2 * half.width() - image.width()) <= 2,
                 qPrintable(QStringLiteral("%1 vs %2").arg(half.width()).arg(image.width())));
        QCOMPARE(half.text(QStringLiteral("Title")), title);
        // Another mask and scale: the title and the name follow.
        view.setMask(AttentionHeadsView::Causal);
        view.setScale(AttentionScale::Log);
        QVERIFY(view.exportTitle().contains(QStringLiteral("causal")));
        QVERIFY(view.exportTitle().contains(QStringLiteral("log10 scale")));
        QCOMPARE(view.exportFileName(), QStringLiteral("all_heads_causal.png"));
        view.clear();
        QVERIFY(!view.exportImage(png, &error));
    }

    void attributionStripsShareOneScalePerMethod() {
        AttributionView view;
        QVERIFY(!view.hint().isEmpty()); // no adapter yet
        QVERIFY(!view.setResults({attribution(kCausal, "pos", 1.0f)}));
        QVERIFY(!view.hasResults());
        QVERIFY(view.setResults({attribution(kCausal, "pos", 1.0f),
                                 attribution(kDecay, "neg", 2.0f),
                                 attribution(kBidirectional, "pos", 0.5f)}));
        QVERIFY(view.hasResults());
        QVERIFY(view.hint().isEmpty());
        QVERIFY(view.headline(1).contains(QStringLiteral("decay (λ = 0.5)")));
        QVERIFY(view.headline(1).contains(QStringLiteral("neg")));
        QVERIFY(view.headline(0).contains(QStringLiteral("0.750")));
        QCOMPARE(view.scale(AttributionView::GradientTimesInput), 1.0);
        QCOMPARE(view.scale(AttributionView::IntegratedGradients), 2.0);
        const QString strip = view.stripHtml(2, AttributionView::IntegratedGradients);
        for (const char* token : {"·the", "·film", "·was"})
            QVERIFY(strip.contains(QString::fromUtf8(token)));
        QVERIFY(strip.contains(QStringLiteral("title=\"0.5\""))); // IG of "the" at scale 0.5
        view.showHint(QStringLiteral("Computing"));
        QVERIFY(!view.hasResults());
        QVERIFY(view.stripHtml(2, AttributionView::IntegratedGradients).isEmpty());
    }
};

QTEST_MAIN(TestInspectViews)
#include "tst_inspectviews.moc"
