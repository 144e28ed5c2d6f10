// The Inspect tab's plot widgets of viz/ under the offscreen platform: the attention colour
// scales (global, per row, log10), the layers x heads grid (colours, geometry, click to open),
// difference heatmaps (diverging colours centred at 0, symmetric range), the signed token strip
// of attributions and the lambda-sweep plot (data, CSV).
#include "attentionheadgrid.h"
#include "attentionheatmap.h"
#include "attentionscale.h"
#include "lambdasweepplot.h"
#include "tokenstrip.h"

#include <QSignalSpy>
#include <QtTest>

#include <cmath>

using namespace fsllm;

namespace {

// [layers][heads][T][T]: head (l, h) has value (l * heads + h + 1) / 100 everywhere, except that
// row i puts (i + 1) / 10 on key 0.
std::vector<float> gridValues(int layers, int heads, int t) {
    std::vector<float> values;
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h)
            for (int i = 0; i < t; ++i)
                for (int j = 0; j < t; ++j)
                    values.push_back(j == 0 ? float(i + 1) / 10.0f
                                            : float(l * heads + h + 1) / 100.0f);
    return values;
}

QRgb colorOf(double value, double low, double high) {
    return AttentionHeatmap::defaultGradient().color(value, QCPRange(low, high));
}

} // namespace

class TestInspectViz : public QObject {
    Q_OBJECT

private slots:
    void scalesTransformAsDocumented() {
        const std::vector<float> p = {0.5f, 0.25f, 0.25f, //
                                      0.0f, 0.1f, 0.9f,   //
                                      0.0f, 0.0f, 0.0f};
        QCOMPARE(AttentionScaling::apply(p, 3, AttentionScale::Global), p);
        const std::vector<float> rows = AttentionScaling::apply(p, 3, AttentionScale::PerRow);
        QCOMPARE(rows[0], 1.0f);
        QCOMPARE(rows[1], 0.5f);
        QCOMPARE(rows[5], 1.0f);
        QVERIFY(std::abs(rows[4] - 0.1f / 0.9f) < 1e-6f);
        QCOMPARE(rows[8], 0.0f); // an all-zero row stays zero
        const std::vector<float> logs = AttentionScaling::apply(p, 3, AttentionScale::Log);
        QVERIFY(std::abs(logs[0] - std::log10(0.5f)) < 1e-6f);
        QCOMPARE(logs[3], std::log10(kLogFloor)); // 0 is clamped to the floor
        QCOMPARE(AttentionScaling::maximum(p), 0.9f);
        // A wrong size comes back unchanged rather than half-scaled.
        QCOMPARE(AttentionScaling::apply(p, 2, AttentionScale::PerRow), p);
    }

    void headGridDrawsEveryHeadOnOneScale() {
        AttentionHeadGrid grid;
        grid.resize(700, 500);
        const int layers = 2, heads = 3, t = 4;
        QVERIFY(!grid.setAttention(gridValues(layers, heads, t), layers, heads, t + 1,
                                   AttentionScale::Global));
        QCOMPARE(grid.layers(), 0);
        QVERIFY(grid.setAttention(gridValues(layers, heads, t), layers, heads, t,
                                  AttentionScale::Global));
        QCOMPARE(grid.layers(), layers);
        QCOMPARE(grid.heads(), heads);
        // Global: one range [0, max over every head] = [0, 0.4] (row 3's key 0).
        QCOMPARE(grid.rangeLow(), 0.0);
        QVERIFY(std::abs(grid.rangeHigh() - 0.4) < 1e-6);
        QCOMPARE(grid.pixel(1, 2, 3, 0), colorOf(0.4, 0.0, 0.4));
        QCOMPARE(grid.pixel(0, 0, 1, 2), colorOf(0.01, 0.0, 0.4));
        QVERIFY(grid.pixel(0, 0, 1, 2) != grid.pixel(1, 2, 1, 2)); // heads differ
        // Per row: every row's largest weight is 1, the top colour.
        QVERIFY(grid.setAttention(gridValues(layers, heads, t), layers, heads, t,
                                  AttentionScale::PerRow));
        QCOMPARE(grid.rangeHigh(), 1.0);
        for (int row = 0; row < t; ++row)
            QCOMPARE(grid.pixel(0, 1, row, 0), colorOf(1.0, 0.0, 1.0));
        QVERIFY(std::abs(grid.scaledValue(0, 0, 0, 1) - 0.01f / 0.1f) < 1e-6f);
        // Log10: range [log10 floor, 0].
        QVERIFY(grid.setAttention(gridValues(layers, heads, t), layers, heads, t,
                                  AttentionScale::Log));
        QCOMPARE(grid.rangeLow(), std::log10(double(kLogFloor)));
        QCOMPARE(grid.rangeHigh(), 0.0);
        QVERIFY(std::abs(grid.scaledValue(1, 0, 0, 3) - std::log10(0.04f)) < 1e-5f);
        QVERIFY(std::isnan(grid.scaledValue(2, 0, 0, 0)));
    }

    void headGridCellsAreClickable() {
        AttentionHeadGrid grid;
        grid.resize(700, 500);
        const int layers = 3, heads = 4, t = 5;
        QVERIFY(grid.setAttention(gridValues(layers, heads, t), layers, heads, t,
                                  AttentionScale::Global));
        grid.show();
        QVERIFY(QTest::qWaitForWindowExposed(&grid));
        // Cells do not overlap, keep at least the minimum size and lie inside the widget.
        for (int l = 0; l < layers; ++l)
            for (int h = 0; h < heads; ++h) {
                const QRect cell = grid.cellRect(l, h);
                QVERIFY(cell.width() >= AttentionHeadGrid::kMinCell);
                QVERIFY(grid.rect().contains(cell));
                if (h + 1 < heads)
                    QVERIFY(!cell.intersects(grid.cellRect(l, h + 1)));
                if (l + 1 < layers)
                    QVERIFY(!cell.intersects(grid.cellRect(l + 1, h)));
                int foundLayer = -1, foundHead = -1;
                QVERIFY(grid.cellAt(cell.center(), &foundLayer, &foundHead));
                QCOMPARE(foundLayer, l);
                QCOMPARE(foundHead, h);
            }
        int layer = -1, head = -1;
        QVERIFY(!grid.cellAt(QPoint(1, 1), &layer, &head));
        QSignalSpy clicked(&grid, &AttentionHeadGrid::headClicked);
        QTest::mouseClick(&grid, Qt::LeftButton, {}, grid.cellRect(2, 1).center());
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.at(0).at(0).toInt(), 2);
        QCOMPARE(clicked.at(0).at(1).toInt(), 1);
        QTest::mouseClick(&grid, Qt::LeftButton, {}, QPoint(2, 2)); // a label: nothing
        QCOMPARE(clicked.count(), 1);
        // The painted widget shows the head's image in its cell.
        const QImage shot = grid.grab().toImage();
        const QRect cell = grid.cellRect(1, 3);
        const qreal ratio = shot.devicePixelRatio();
        const QPoint topLeft = (QPointF(cell.topLeft()) * ratio).toPoint() + QPoint(2, 2);
        QCOMPARE(shot.pixel(topLeft), grid.pixel(1, 3, 0, 0));
    }

    void differenceHeatmapIsCentredAtZero() {
        AttentionHeatmap map;
        const std::vector<float> diff = {0.0f, 0.3f, -0.1f, 0.05f};
        QVERIFY(map.setMatrix(diff, {"a", "b"}, HeatmapKind::Difference));
        QCOMPARE(map.kind(), HeatmapKind::Difference);
        QCOMPARE(map.colorMap()->dataRange(), QCPRange(-double(0.3f), double(0.3f))); // symmetric
        QCPColorGradient gradient = map.colorMap()->gradient();
        const QColor middle(gradient.color(0.0, QCPRange(-1.0, 1.0)));
        QVERIFY(middle.red() > 240 && middle.green() > 240 && middle.blue() > 240); // white
        const QColor positive(gradient.color(0.9, QCPRange(-1.0, 1.0)));
        const QColor negative(gradient.color(-0.9, QCPRange(-1.0, 1.0)));
        QVERIFY(positive.red() > positive.blue());
        QVERIFY(negative.blue() > negative.red());
        QVERIFY(map.colorScale()->axis()->label().contains(QStringLiteral("difference")));
        QVERIFY(map.readout(0, 1).endsWith(QStringLiteral("+0.300")));
        // Back to probabilities: the sequential gradient and [0, 1] again.
        QVERIFY(map.setMatrix(std::vector<float>{1.0f, 0.0f, 0.5f, 0.5f}, {"a", "b"}));
        QCOMPARE(map.colorMap()->dataRange(), QCPRange(0.0, 1.0));
        QCOMPARE(QColor(map.colorMap()->gradient().color(0.0, QCPRange(0.0, 1.0))),
                 QColor(AttentionHeatmap::defaultGradient().color(0.0, QCPRange(0.0, 1.0))));
    }

    void rescaledHeatmapKinds() {
        AttentionHeatmap map;
        QVERIFY(map.setMatrix(std::vector<float>{-1.0f, -4.0f, 0.0f, -2.0f}, {"a", "b"},
                              HeatmapKind::LogScaled));
        QCOMPARE(map.colorMap()->dataRange(), QCPRange(std::log10(double(kLogFloor)), 0.0));
        QVERIFY(map.colorScale()->axis()->label().contains(QStringLiteral("log10")));
        QVERIFY(map.setMatrix(std::vector<float>{1.0f, 0.5f, 0.2f, 1.0f}, {"a", "b"},
                              HeatmapKind::RowScaled));
        QCOMPARE(map.colorMap()->dataRange(), QCPRange(0.0, 1.0));
        QVERIFY(map.colorScale()->axis()->label().contains(QStringLiteral("row max")));
    }

    void tokenStripColoursBySign() {
        const QColor zero = TokenStrip::colorFor(0.0, 2.0);
        QVERIFY(zero.red() > 240 && zero.green() > 240 && zero.blue() > 240);
        const QColor up = TokenStrip::colorFor(2.0, 2.0);
        const QColor down = TokenStrip::colorFor(-2.0, 2.0);
        QVERIFY(up.red() > 150 && up.blue() < 100);
        QVERIFY(down.blue() > 150 && down.red() < 100);
        QCOMPARE(TokenStrip::colorFor(5.0, 2.0), up); // clamped to the scale
        QCOMPARE(TokenStrip::colorFor(1.0, 0.0), QColor(0xf7, 0xf7, 0xf7)); // no scale: white
        QCOMPARE(TokenStrip::maxAbs({0.5f, -1.5f, 1.0f}), 1.5);
        const QString html = TokenStrip::html({"<s>", "\u2581good"}, {0.0f, -1.5f}, 1.5);
        QVERIFY(html.contains(QStringLiteral("&lt;s&gt;")));
        QVERIFY(html.contains(QStringLiteral("·good")));
        QVERIFY(html.contains(QStringLiteral("title=\"-1.5\"")));
        QVERIFY(html.contains(down.name()));
        QVERIFY(TokenStrip::html({"a"}, {0.1f, 0.2f}, 1.0).isEmpty());
    }

    void lambdaSweepPlotHoldsTheSeries() {
        LambdaSweepPlot plot;
        QVERIFY(!plot.setSweep({0.0, 1.0}, {1.0}, {0.5, 0.2}, 0.8, "all"));
        QCOMPARE(plot.pointCount(), 0);
        QVERIFY(plot.setSweep({0.0, 0.5, 5.0}, {1.2, 1.0, 0.9}, {0.6, 0.3, 0.01}, 0.85,
                              QStringLiteral("all tokens")));
        QCOMPARE(plot.pointCount(), 3);
        QCOMPARE(plot.shareGraph()->dataCount(), 3);
        QCOMPARE(plot.shareGraph()->valueAxis(), plot.yAxis2);
        QVERIFY(plot.entropyGraph()->name().contains(QStringLiteral("all tokens")));
        QVERIFY(plot.yAxis->range().contains(0.85)); // the causal reference is in view
        const QStringList csv = plot.toCsv().split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 4);
        QCOMPARE(csv[0], QStringLiteral("lambda,entropy,future_share"));
        QCOMPARE(csv[2], QStringLiteral("0.5,1,0.3"));
        plot.clearSweep();
        QCOMPARE(plot.pointCount(), 0);
        QCOMPARE(plot.toCsv().count('\n'), 1);
    }
};

QTEST_MAIN(TestInspectViz)
#include "tst_inspectviz.moc"
