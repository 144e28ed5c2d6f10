// The plot widgets of viz/ under the offscreen platform: live curves (counts, EMA smoothing, axis
// modes, coalesced replots, hover read-out), the attention heatmap (cells, labels, -inf mask
// cells), probability bars, and PNG/PDF/SVG/CSV export including failures.
// Set FSLLM_VIZ_SNAPSHOT_DIR to keep the sample renderings of every widget in that folder.
#include "attentionheatmap.h"
#include "livecurveplot.h"
#include "plotexporter.h"
#include "probabilitybars.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace fsllm;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

QStringList lines(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QVector<double> keysOf(const QCPGraph* graph) {
    QVector<double> keys;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        keys.append(it->key);
    return keys;
}

QVector<double> valuesOf(const QCPGraph* graph) {
    QVector<double> values;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it)
        values.append(it->value);
    return values;
}

// A 4-token causal mask M: 0 on and below the diagonal, -inf above it.
std::vector<float> causalMask(int t) {
    std::vector<float> m(size_t(t) * t, 0.0f);
    for (int i = 0; i < t; ++i)
        for (int j = i + 1; j < t; ++j)
            m[size_t(i) * t + j] = -kInf;
    return m;
}

// Row-softmax of a decay-masked random score matrix: a plausible attention map.
std::vector<float> sampleAttention(int t, double lambda, unsigned seed) {
    std::vector<float> a(size_t(t) * t);
    unsigned state = seed;
    for (int i = 0; i < t; ++i) {
        double sum = 0.0;
        std::vector<double> row(t);
        for (int j = 0; j < t; ++j) {
            state = state * 1103515245u + 12345u;
            const double score = double((state >> 8) % 1000) / 250.0 + (j == 0 ? 2.5 : 0.0);
            row[j] = std::exp(score - (j > i ? lambda * (j - i) : 0.0));
            sum += row[j];
        }
        for (int j = 0; j < t; ++j)
            a[size_t(i) * t + j] = float(row[j] / sum);
    }
    return a;
}

} // namespace

class TestViz : public QObject {
    Q_OBJECT

private slots:
    void appendGrowsCounts();
    void smoothingMatchesHandComputedEma();
    void xAxisModeUsesWallTime();
    void logScale();
    void replotsAreCoalesced();
    void hoverReadout();
    void zoomStopsFollowing();
    void hoverReadoutStaysInsideTheWidget();
    void exportAddsTheHiddenLegend();
    void longHeatmapsThinLabelsAndZoom();
    void removeAndClear();
    void heatmapCellsAndLabels();
    void heatmapMaskCells();
    void heatmapRejectsBadInput();
    void probabilityBars();
    void exportFigures();
    void exportCsv();
    void exportFailures();
    void snapshots();

private:
    QTemporaryDir m_dir;
};

void TestViz::appendGrowsCounts() {
    LiveCurvePlot plot;
    QCOMPARE(plot.pointCount(QStringLiteral("run1/loss")), -1);
    plot.appendPoint(QStringLiteral("run1/loss"), 1, 2.0, 0.5);
    plot.appendPoint(QStringLiteral("run1/loss"), 2, 1.5, 1.0);
    plot.appendPoint(QStringLiteral("run2/loss"), 1, 2.1, 0.4);
    plot.appendPoints(QStringLiteral("run1/loss"), {{3, 1.25, 1.2}, {4, 1.125, 1.6}});
    QCOMPARE(plot.pointCount(QStringLiteral("run1/loss")), 4);
    QCOMPARE(valuesOf(plot.rawGraph(QStringLiteral("run1/loss"))).last(), 1.125);
    plot.setXAxisMode(XAxisMode::WallTime);
    QCOMPARE(keysOf(plot.rawGraph(QStringLiteral("run1/loss"))).last(), 1.6);
    plot.setXAxisMode(XAxisMode::Steps);
    QCOMPARE(plot.pointCount(QStringLiteral("run2/loss")), 1);
    QCOMPARE(plot.seriesNames(), QStringList({"run1/loss", "run2/loss"}));
    QCOMPARE(plot.smoothedGraph(QStringLiteral("run1/loss"))->dataCount(), 4);
    QVERIFY(plot.seriesColor(QStringLiteral("run1/loss")) !=
            plot.seriesColor(QStringLiteral("run2/loss")));
    // Only the smoothed lines are in the legend, one per series.
    QVERIFY(plot.legend->visible());
    QCOMPARE(plot.legend->itemCount(), 2);
}

void TestViz::smoothingMatchesHandComputedEma() {
    LiveCurvePlot plot;
    plot.setSmoothing(0.5);
    const QVector<double> y = {1.0, 3.0, 2.0, 5.0, 4.0};
    for (int i = 0; i < y.size(); ++i)
        plot.appendPoint(QStringLiteral("a"), i, y[i]);
    // Debiased EMA written out as a weighted mean: s_i = sum_k (1-w) w^(i-k) y_k / (1 - w^(i+1)).
    const auto expected = [&](double w) {
        QVector<double> s;
        for (int i = 0; i < y.size(); ++i) {
            double sum = 0.0;
            for (int k = 0; k <= i; ++k)
                sum += (1.0 - w) * std::pow(w, i - k) * y[k];
            s.append(sum / (1.0 - std::pow(w, i + 1)));
        }
        return s;
    };
    const QVector<double> smoothed = plot.smoothedValues(QStringLiteral("a"));
    QCOMPARE(smoothed.size(), y.size());
    QCOMPARE(smoothed[0], 1.0);
    QVERIFY(qFuzzyCompare(smoothed[1], 7.0 / 3.0));
    QVERIFY(qFuzzyCompare(smoothed[2], 15.0 / 7.0));
    for (int i = 0; i < y.size(); ++i)
        QVERIFY2(qFuzzyCompare(smoothed[i], expected(0.5)[i]), qPrintable(QString::number(i)));
    QCOMPARE(valuesOf(plot.smoothedGraph(QStringLiteral("a"))), smoothed);
    QCOMPARE(valuesOf(plot.rawGraph(QStringLiteral("a"))), y);
    QVERIFY(plot.rawGraph(QStringLiteral("a"))->visible());

    // Changing the weight recomputes the whole series.
    plot.setSmoothing(0.9);
    for (int i = 0; i < y.size(); ++i)
        QVERIFY(qFuzzyCompare(plot.smoothedValues(QStringLiteral("a"))[i], expected(0.9)[i]));
    plot.setSmoothing(0.0);
    QCOMPARE(plot.smoothedValues(QStringLiteral("a")), y);
    QVERIFY(!plot.rawGraph(QStringLiteral("a"))->visible());
    plot.setSmoothing(5.0);
    QCOMPARE(plot.smoothing(), LiveCurvePlot::kMaxSmoothing);

    // A NaN value is a gap: stored, drawn as NaN, and skipped by the average.
    plot.setSmoothing(0.5);
    plot.appendPoint(QStringLiteral("b"), 0, 2.0);
    plot.appendPoint(QStringLiteral("b"), 1, qQNaN());
    plot.appendPoint(QStringLiteral("b"), 2, 4.0);
    const QVector<double> b = plot.smoothedValues(QStringLiteral("b"));
    QVERIFY(std::isnan(b[1]));
    QVERIFY(qFuzzyCompare(b[2], (0.5 * 4.0 + 0.25 * 2.0) / 0.75));
}

void TestViz::xAxisModeUsesWallTime() {
    LiveCurvePlot plot;
    plot.appendPoint(QStringLiteral("r/loss"), 10, 1.0, 3.5);
    plot.appendPoint(QStringLiteral("r/loss"), 20, 0.8, 7.25);
    plot.appendPoint(QStringLiteral("r/loss"), 30, 0.7); // no wall time
    plot.appendPoint(QStringLiteral("r/loss"), 40, 0.6, 15.0);
    const QCPGraph* graph = plot.smoothedGraph(QStringLiteral("r/loss"));
    QCOMPARE(keysOf(graph), QVector<double>({10, 20, 30, 40}));

    plot.setXAxisMode(XAxisMode::WallTime);
    QCOMPARE(plot.xAxisMode(), XAxisMode::WallTime);
    QCOMPARE(keysOf(graph), QVector<double>({3.5, 7.25, 15.0}));
    QCOMPARE(keysOf(plot.rawGraph(QStringLiteral("r/loss"))), QVector<double>({3.5, 7.25, 15.0}));
    QVERIFY(plot.xAxis->label().contains(QStringLiteral("wall time")));
    plot.appendPoint(QStringLiteral("r/loss"), 50, 0.5, 20.0); // live appends use wall time too
    QCOMPARE(keysOf(graph).last(), 20.0);
    QVERIFY(plot.xAxis->range().lower <= 3.5 && plot.xAxis->range().upper >= 15.0);

    plot.setXAxisMode(XAxisMode::Steps);
    QCOMPARE(keysOf(graph), QVector<double>({10, 20, 30, 40, 50}));
    QCOMPARE(plot.xAxis->label(), QStringLiteral("step"));
}

void TestViz::logScale() {
    LiveCurvePlot plot;
    for (int i = 1; i <= 50; ++i)
        plot.appendPoint(QStringLiteral("lr"), i, 1e-4 * i);
    plot.setLogScaleY(true);
    QVERIFY(plot.logScaleY());
    QCOMPARE(plot.yAxis->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(plot.yAxis->ticker().dynamicCast<QCPAxisTickerLog>());
    QVERIFY(plot.yAxis->range().lower > 0.0);
    QVERIFY(plot.yAxis->range().upper >= 5e-3);
    plot.setLogScaleY(false);
    QCOMPARE(plot.yAxis->scaleType(), QCPAxis::stLinear);
    QVERIFY(!plot.yAxis->ticker().dynamicCast<QCPAxisTickerLog>());
}

void TestViz::replotsAreCoalesced() {
    LiveCurvePlot plot;
    plot.resize(800, 500);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    QTest::qWait(50); // QCustomPlot's own replots on construction and first show
    int replots = 0;
    connect(&plot, &QCustomPlot::afterReplot, this, [&replots] { ++replots; });
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < 10000; ++i) {
        const QString series =
            i % 2 ? QStringLiteral("run/train_loss") : QStringLiteral("run/learning_rate");
        plot.appendPoint(series, i / 2, 1.0 / (1.0 + i * 1e-3), i * 0.01);
    }
    const qint64 appendNs = timer.nsecsElapsed();
    QCOMPARE(replots, 0); // appends never replot by themselves
    QTest::qWait(300);
    qInfo("10000 appends took %.2f ms (%.0f ns each); %d replot(s) in the next 300 ms",
          appendNs / 1e6, double(appendNs) / 10000.0, replots);
    QVERIFY(replots >= 1);
    QVERIFY(replots <= 4);
    QCOMPARE(plot.pointCount(QStringLiteral("run/train_loss")), 5000);
    QVERIFY(plot.xAxis->range().upper >= 4999.0); // followed the data
    timer.restart();
    plot.replot(QCustomPlot::rpImmediateRefresh);
    qInfo("one full replot of 4 graphs x 5000 points at 800x500: %.2f ms",
          timer.nsecsElapsed() / 1e6);

    // Hidden (e.g. a background tab): the axes still follow, but nothing replots until shown.
    plot.hide();
    replots = 0;
    for (int i = 0; i < 1000; ++i)
        plot.appendPoint(QStringLiteral("run/train_loss"), 5000 + i, 0.5, 100.0 + i);
    QTest::qWait(300);
    QCOMPARE(replots, 0);
    QVERIFY(plot.xAxis->range().upper >= 5999.0);
    plot.show();
    QTRY_VERIFY(replots >= 1);
}

void TestViz::hoverReadout() {
    LiveCurvePlot plot;
    plot.resize(640, 400);
    plot.setSmoothing(0.0);
    for (int i = 0; i <= 10; ++i)
        plot.appendPoint(QStringLiteral("run1/eval_loss"), i * 100, 2.0 - 0.1 * i, i * 12.5);
    plot.refreshNow();
    plot.replot(QCustomPlot::rpImmediateRefresh);
    const QPointF at(plot.xAxis->coordToPixel(300), plot.yAxis->coordToPixel(1.7));
    const QString text = plot.readoutAt(at + QPointF(2, -2));
    QVERIFY2(text.contains(QStringLiteral("run1/eval_loss")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("step 300")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("37.5 s")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("1.7")), qPrintable(text));
    QVERIFY(plot.readoutAt(QPointF(-50, -50)).isEmpty());

    QMouseEvent move(QEvent::MouseMove, at, plot.mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    int replots = 0;
    connect(&plot, &QCustomPlot::afterReplot, this, [&replots] { ++replots; });
    QCoreApplication::sendEvent(&plot, &move);
    QCOMPARE(plot.hoverText(), text);
    QCOMPARE(replots, 0); // the hover redraws only its own buffered layer
    QEvent leave(QEvent::Leave);
    QCoreApplication::sendEvent(&plot, &leave);
    QVERIFY(plot.hoverText().isEmpty());
}

void TestViz::zoomStopsFollowing() {
    LiveCurvePlot plot;
    plot.resize(640, 400);
    plot.appendPoint(QStringLiteral("a"), 1, 1.0);
    plot.appendPoint(QStringLiteral("a"), 2, 2.0);
    plot.refreshNow();
    plot.replot(QCustomPlot::rpImmediateRefresh);
    QVERIFY(plot.isFollowingData());
    QVERIFY(plot.interactions().testFlag(QCP::iRangeDrag));
    QVERIFY(plot.interactions().testFlag(QCP::iRangeZoom));
    const QPointF centre = plot.axisRect()->rect().center();
    QWheelEvent wheel(centre, plot.mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(&plot, &wheel);
    QVERIFY(!plot.isFollowingData());
    const QCPRange zoomed = plot.xAxis->range();
    plot.appendPoint(QStringLiteral("a"), 100, 3.0);
    plot.refreshNow();
    QCOMPARE(plot.xAxis->range(), zoomed); // the user's view is kept
    QMouseEvent doubleClick(QEvent::MouseButtonDblClick, centre, plot.mapToGlobal(centre),
                            Qt::LeftButton, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&plot, &doubleClick);
    QVERIFY(plot.isFollowingData());
    QVERIFY(plot.xAxis->range().upper >= 100.0);
}

void TestViz::removeAndClear() {
    LiveCurvePlot plot;
    plot.appendPoint(QStringLiteral("a"), 1, 1.0);
    plot.appendPoint(QStringLiteral("b"), 1, 1.0);
    plot.appendPoint(QStringLiteral("c"), 1, 1.0);
    plot.removeSeries(QStringLiteral("b"));
    QCOMPARE(plot.seriesNames(), QStringList({"a", "c"}));
    QCOMPARE(plot.graphCount(), 4);
    QCOMPARE(plot.pointCount(QStringLiteral("c")), 1);
    plot.clear();
    QVERIFY(plot.seriesNames().isEmpty());
    QCOMPARE(plot.graphCount(), 0);
    QVERIFY(!plot.legend->visible());
    plot.appendPoint(QStringLiteral("a"), 1, 1.0);
    QCOMPARE(plot.pointCount(QStringLiteral("a")), 1);
}

void TestViz::heatmapCellsAndLabels() {
    AttentionHeatmap map;
    const QStringList tokens = {"<s>", "\u2581good", "\u2581movie", "!"};
    std::vector<float> values(16);
    for (int i = 0; i < 16; ++i)
        values[size_t(i)] = float(i) / 15.0f;
    QVERIFY(map.setMatrix(values, tokens));
    map.setTitle(QStringLiteral("decay \u03bb=0.5"));
    QCOMPARE(map.tokenCount(), 4);
    QCOMPARE(map.cellCount(), 16);
    QCOMPARE(map.colorMap()->data()->keySize(), 4);
    QCOMPARE(map.colorMap()->data()->valueSize(), 4);
    for (int row = 0; row < 4; ++row) {
        for (int col = 0; col < 4; ++col) {
            QCOMPARE(map.value(row, col), values[size_t(row) * 4 + col]);
            QCOMPARE(map.colorMap()->data()->cell(col, row), double(values[size_t(row) * 4 + col]));
        }
    }
    QVERIFY(std::isnan(map.value(4, 0)));
    const auto xTicks = map.xAxis->ticker().dynamicCast<QCPAxisTickerText>();
    const auto yTicks = map.yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(xTicks && yTicks);
    QCOMPARE(xTicks->ticks().values(), tokens);
    QCOMPARE(yTicks->ticks().values(), tokens);
    QVERIFY(map.xAxis->tickLabelRotation() != 0.0);
    QVERIFY(map.yAxis->rangeReversed());
    QCOMPARE(map.colorMap()->dataRange(), QCPRange(0.0, 1.0));
    QCOMPARE(map.title(), QStringLiteral("decay \u03bb=0.5"));
    QCOMPARE(map.readout(1, 2),
             QStringLiteral("query 1 '\u2581good' -> key 2 '\u2581movie': 0.400"));

    map.resize(500, 500);
    map.replot(QCustomPlot::rpImmediateRefresh);
    int row = -1, col = -1;
    const QPointF centre(map.xAxis->coordToPixel(3), map.yAxis->coordToPixel(0));
    QVERIFY(map.cellAt(centre, &row, &col));
    QCOMPARE(row, 0);
    QCOMPARE(col, 3);
    QMouseEvent move(QEvent::MouseMove, centre, map.mapToGlobal(centre), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(&map, &move);
    QCOMPARE(map.hoverText(), QStringLiteral("query 0 '<s>' -> key 3 '!': 0.200"));
}

void TestViz::heatmapMaskCells() {
    AttentionHeatmap map;
    const QStringList tokens = {"<s>", "a", "b", "c"};
    std::vector<float> mask = causalMask(4);
    mask[size_t(1) * 4 + 0] = -0.5f; // a finite negative entry sets the colour range
    QVERIFY(map.setMatrix(mask, tokens, HeatmapKind::AdditiveMask));
    QCOMPARE(map.kind(), HeatmapKind::AdditiveMask);
    QVERIFY(std::isinf(map.value(0, 1)) && map.value(0, 1) < 0);
    QCPColorMapData* data = map.colorMap()->data();
    for (int row = 0; row < 4; ++row)
        for (int col = 0; col < 4; ++col)
            QVERIFY(std::isfinite(data->cell(col, row)));
    QCOMPARE(map.colorMap()->dataRange(), QCPRange(-0.5, 0.0));
    QCOMPARE(data->alpha(1, 0), (unsigned char)0);   // masked: transparent
    QCOMPARE(data->alpha(0, 1), (unsigned char)255); // finite: opaque
    QVERIFY(map.readout(0, 3).endsWith(QStringLiteral("-inf (masked)")));
    QVERIFY(map.toCsv().contains(QStringLiteral("0,1,<s>,a,-inf\n")));

    // Rendered, a masked cell shows the masked colour; finite cells show gradient colours.
    map.resize(400, 400);
    map.replot(QCustomPlot::rpImmediateRefresh);
    const QImage image = map.toPixmap(400, 400).toImage();
    const auto colourAt = [&](int row, int col) {
        return image.pixelColor(int(map.xAxis->coordToPixel(col)),
                                int(map.yAxis->coordToPixel(row)));
    };
    QCOMPARE(colourAt(0, 3).rgb(), AttentionHeatmap::maskedColor().rgb());
    QCOMPARE(colourAt(2, 3).rgb(), AttentionHeatmap::maskedColor().rgb());
    QVERIFY(colourAt(1, 1).rgb() != AttentionHeatmap::maskedColor().rgb());
    QVERIFY(colourAt(1, 0).rgb() != AttentionHeatmap::maskedColor().rgb());
    QVERIFY(colourAt(1, 0).rgb() != colourAt(1, 1).rgb()); // -0.5 and 0 at the range ends

    // A matrix without -inf drops the transparency again.
    QVERIFY(map.setMatrix(std::vector<float>(16, 0.25f), tokens));
    QCOMPARE(map.colorMap()->data()->alpha(1, 0), (unsigned char)255);
}

void TestViz::heatmapRejectsBadInput() {
    AttentionHeatmap map;
    QVERIFY(map.setMatrix(std::vector<float>(4, 0.5f), {"a", "b"}));
    QVERIFY(!map.setMatrix(std::vector<float>(5, 0.5f), {"a", "b"}));
    QVERIFY(!map.setMatrix(std::vector<float>(), {}));
    QCOMPARE(map.tokenCount(), 2);
    QCOMPARE(map.value(1, 1), 0.5f);
    QVERIFY(map.setMatrix(std::vector<float>{0.7f}, {"<s>"})); // one token: one cell
    QCOMPARE(map.cellCount(), 1);
    QVERIFY(!map.toPixmap(200, 200).isNull());
    map.clearMatrix();
    QCOMPARE(map.cellCount(), 0);
    QVERIFY(!map.toPixmap(200, 200).isNull());
    QVERIFY(map.readout(0, 0).isEmpty());
}

void TestViz::probabilityBars() {
    ProbabilityBars bars;
    QVERIFY(bars.setProbabilities({"negative", "neutral", "positive"}, {0.1f, 0.7f, 0.2f}));
    QCOMPARE(bars.barCount(), 3);
    QCOMPARE(bars.argmax(), 1);
    QCOMPARE(bars.probability(2), 0.2f);
    QCOMPARE(bars.highlightBars()->data()->size(), 1);
    QCOMPARE(bars.highlightBars()->data()->constBegin()->key, 1.0);
    QCOMPARE(bars.bars()->data()->size(), 2);
    QVERIFY(bars.highlightBars()->brush().color() != bars.bars()->brush().color());
    const auto ticks = bars.yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticks);
    QCOMPARE(ticks->ticks().values(), QStringList({"negative", "neutral", "positive"}));
    QVERIFY(!bars.setProbabilities({"a", "b"}, {0.5f}));
    QVERIFY(!bars.setProbabilities({"a"}, {std::numeric_limits<float>::quiet_NaN()}));
    QCOMPARE(bars.barCount(), 3); // unchanged
    QCOMPARE(bars.toCsv(), QStringLiteral("label,probability,argmax\nnegative,0.1,0\n"
                                          "neutral,0.7,1\npositive,0.2,0\n"));
}

void TestViz::exportFigures() {
    QVERIFY(m_dir.isValid());
    LiveCurvePlot plot;
    plot.setValueLabel(QStringLiteral("loss"));
    for (int i = 0; i < 100; ++i)
        plot.appendPoint(QStringLiteral("run1/train_loss"), i, 2.0 * std::exp(-i / 30.0), i);
    plot.refreshNow();
    PlotExporter exporter(&plot);

    const QString png = m_dir.filePath(QStringLiteral("curve.png"));
    QVERIFY2(exporter.savePng(png, 320, 240), qPrintable(exporter.errorString()));
    QImage image(png);
    QCOMPARE(image.size(), QSize(320, 240));
    QCOMPARE(image.dotsPerMeterX(), int(std::lround(96 / 0.0254)));
    QVERIFY2(exporter.savePng(png, 320, 240, 2.0), qPrintable(exporter.errorString()));
    QCOMPARE(QImage(png).size(), QSize(640, 480));

    const QString pdf = m_dir.filePath(QStringLiteral("curve.pdf"));
    QVERIFY2(exporter.savePdf(pdf, 480, 320), qPrintable(exporter.errorString()));
    QVERIFY(readAll(pdf).startsWith("%PDF"));

    const QString svg = m_dir.filePath(QStringLiteral("curve.svg"));
    QVERIFY2(exporter.saveSvg(svg, 480, 320), qPrintable(exporter.errorString()));
    const QByteArray svgText = readAll(svg);
    QVERIFY(svgText.contains("<svg"));
    QVERIFY(svgText.contains("viewBox=\"0 0 480 320\""));
    QVERIFY(svgText.contains("loss")); // the axis title is drawn as text

    // save() picks the format from the suffix; the heatmap exports too.
    AttentionHeatmap map;
    QVERIFY(map.setMatrix(causalMask(3), {"a", "b", "c"}, HeatmapKind::AdditiveMask));
    PlotExporter mapExporter(&map);
    const QString mapPng = m_dir.filePath(QStringLiteral("map.PNG"));
    map.resize(300, 280);
    QVERIFY2(mapExporter.save(mapPng), qPrintable(mapExporter.errorString()));
    QCOMPARE(QImage(mapPng).size(), QSize(300, 280));
}

void TestViz::exportCsv() {
    LiveCurvePlot plot;
    plot.setSmoothing(0.5);
    for (int i = 0; i < 5; ++i) {
        plot.appendPoint(QStringLiteral("run1/loss"), i, 1.0 / (i + 1));
        plot.appendPoint(QStringLiteral("run2/loss"), i, 2.0 / (i + 1));
    }
    PlotExporter exporter(&plot);
    const QString path = m_dir.filePath(QStringLiteral("curves.csv"));
    QVERIFY2(exporter.saveCsv(path), qPrintable(exporter.errorString()));
    QStringList rows = lines(path);
    QCOMPARE(rows.first(), QStringLiteral("series,x,y"));
    QCOMPARE(rows.size(), 1 + 2 * 2 * 5); // raw + smoothed graph per series
    QVERIFY(rows.contains(QStringLiteral("run1/loss (raw),1,0.5")));
    plot.setSmoothing(0.0); // the raw graphs are hidden, so not exported
    QVERIFY(exporter.saveCsv(path));
    QCOMPARE(lines(path).size(), 1 + 2 * 5);

    AttentionHeatmap map;
    QVERIFY(map.setMatrix(causalMask(4), {"<s>", "a,b", "\"q\"", "d"}, HeatmapKind::AdditiveMask));
    PlotExporter mapExporter(&map);
    QVERIFY(mapExporter.saveCsv(path));
    rows = lines(path);
    QCOMPARE(rows.size(), 1 + 16);
    QCOMPARE(rows[0], QStringLiteral("row,col,query,key,value"));
    QCOMPARE(rows[2], QStringLiteral("0,1,<s>,\"a,b\",-inf"));
    QCOMPARE(rows[5], QStringLiteral("1,0,\"a,b\",<s>,0"));

    // A plain QCustomPlot: graphs and colour maps read off the plottables.
    QCustomPlot plain;
    plain.addGraph()->setData({0, 1, 2}, {5, 6, 7});
    auto* colorMap = new QCPColorMap(plain.xAxis, plain.yAxis);
    colorMap->data()->setSize(3, 2);
    colorMap->data()->setCell(2, 1, 0.25);
    PlotExporter plainExporter(&plain);
    QVERIFY(plainExporter.saveCsv(path));
    rows = lines(path);
    QCOMPARE(rows.size(), 1 + 3 + 1 + 6);
    QCOMPARE(rows[0], QStringLiteral("series,x,y"));
    QCOMPARE(rows[4], QStringLiteral("row,col,value"));
    QCOMPARE(rows.last(), QStringLiteral("1,2,0.25"));
}

void TestViz::exportFailures() {
    LiveCurvePlot plot;
    plot.appendPoint(QStringLiteral("a"), 1, 1.0);
    PlotExporter exporter(&plot);
    const QString folder = m_dir.filePath(QStringLiteral("no/such/folder"));
    for (const QString& name : {"x.png", "x.pdf", "x.svg", "x.csv"}) {
        const QString path = folder + QLatin1Char('/') + name;
        QVERIFY2(!exporter.save(path), qPrintable(path));
        QVERIFY2(exporter.errorString().contains(path), qPrintable(exporter.errorString()));
        QVERIFY(!QFileInfo::exists(path));
    }
    QVERIFY(!exporter.save(m_dir.filePath(QStringLiteral("x.bmp"))));
    QVERIFY(exporter.errorString().contains(QStringLiteral("x.bmp")));
    QVERIFY(!exporter.savePng(m_dir.filePath(QStringLiteral("y.png")), 100, 100, 0.0));
    PlotExporter none(nullptr);
    QVERIFY(!none.savePng(m_dir.filePath(QStringLiteral("z.png"))));
    QVERIFY(!none.errorString().isEmpty());
}

void TestViz::snapshots() {
    // Renders into FSLLM_VIZ_SNAPSHOT_DIR when set (to look at them), else into the temp folder.
    QString dir = qEnvironmentVariable("FSLLM_VIZ_SNAPSHOT_DIR");
    if (dir.isEmpty())
        dir = m_dir.filePath(QStringLiteral("snapshots"));
    QDir().mkpath(dir);

    LiveCurvePlot curves;
    curves.setTitle(QStringLiteral("train loss"));
    curves.setValueLabel(QStringLiteral("loss"));
    unsigned state = 7;
    for (int run = 0; run < 3; ++run) {
        for (int step = 0; step <= 600; step += 2) {
            state = state * 1103515245u + 12345u;
            const double noise = (double((state >> 8) % 1000) / 1000.0 - 0.5) * 0.35;
            const double loss = 0.25 + (1.4 - 0.2 * run) * std::exp(-step / (90.0 + 40 * run));
            curves.appendPoint(QStringLiteral("run%1/train_loss").arg(run + 1), step,
                               loss + noise * loss, step * (0.8 + 0.1 * run));
        }
    }
    curves.refreshNow();
    PlotExporter(&curves).savePng(dir + QStringLiteral("/curves.png"), 720, 420);
    curves.setLogScaleY(true);
    curves.setXAxisMode(XAxisMode::WallTime);
    curves.resize(720, 420);
    curves.replot(QCustomPlot::rpImmediateRefresh);
    const QPointF at(curves.xAxis->coordToPixel(200), curves.yAxis->coordToPixel(0.6));
    QMouseEvent move(QEvent::MouseMove, at, curves.mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(&curves, &move);
    PlotExporter(&curves).savePng(dir + QStringLiteral("/curves_log_walltime.png"), 720, 420);

    const QStringList tokens = {"<s>",       "\u2581the", "\u2581movie", "\u2581was", "\u2581not",
                                "\u2581bad", "\u2581at",  "\u2581all",   "!"};
    const int t = int(tokens.size());
    AttentionHeatmap heat;
    heat.setTitle(QStringLiteral("layer 2 head 1, decay \u03bb=0.5"));
    heat.setMatrix(sampleAttention(t, 0.5, 3), tokens);
    PlotExporter(&heat).savePng(dir + QStringLiteral("/heatmap.png"), 520, 460);
    PlotExporter(&heat).saveSvg(dir + QStringLiteral("/heatmap.svg"), 520, 460);
    PlotExporter(&heat).savePdf(dir + QStringLiteral("/heatmap.pdf"), 520, 460);
    std::vector<float> mask = causalMask(t);
    heat.setTitle(QStringLiteral("mask M, causal"));
    heat.setMatrix(mask, tokens, HeatmapKind::AdditiveMask);
    PlotExporter(&heat).savePng(dir + QStringLiteral("/mask_causal.png"), 520, 460);
    for (int i = 0; i < t; ++i)
        for (int j = i + 1; j < t; ++j)
            mask[size_t(i) * t + j] = -0.5f * (j - i);
    heat.setTitle(QStringLiteral("mask M, decay \u03bb=0.5"));
    heat.setMatrix(mask, tokens, HeatmapKind::AdditiveMask);
    PlotExporter(&heat).savePng(dir + QStringLiteral("/mask_decay.png"), 520, 460);
    QStringList many;
    for (int i = 0; i < 64; ++i)
        many.append(QStringLiteral("\u2581tok%1").arg(i));
    heat.setTitle(QStringLiteral("64 tokens"));
    heat.setMatrix(sampleAttention(64, 0.1, 5), many);
    PlotExporter(&heat).savePng(dir + QStringLiteral("/heatmap64.png"), 620, 560);

    ProbabilityBars bars;
    bars.setTitle(QStringLiteral("prediction"));
    bars.setProbabilities({"very negative", "negative", "neutral", "positive", "very positive"},
                          {0.02f, 0.05f, 0.11f, 0.62f, 0.20f});
    PlotExporter(&bars).savePng(dir + QStringLiteral("/bars.png"), 460, 260);
    bars.setProbabilities({"negative", "positive"}, {0.04f, 0.96f});
    PlotExporter(&bars).savePng(dir + QStringLiteral("/bars2.png"), 460, 200);

    for (const char* name :
         {"curves.png", "curves_log_walltime.png", "heatmap.png", "mask_causal.png",
          "mask_decay.png", "heatmap64.png", "bars.png", "bars2.png"})
        QVERIFY2(!QImage(dir + QLatin1Char('/') + QLatin1String(name)).isNull(), name);
    QVERIFY(QFileInfo(dir + QStringLiteral("/heatmap.svg")).size() > 0);
    QVERIFY(QFileInfo(dir + QStringLiteral("/heatmap.pdf")).size() > 0);
}

// Issue 12, defect 6: the read-out was clipped at the right edge of small plots.
void TestViz::hoverReadoutStaysInsideTheWidget() {
    LiveCurvePlot plot;
    plot.resize(260, 200);
    plot.setSmoothing(0.0);
    const QString name = QStringLiteral("a-rather-long-run-name-20250101-120000/train loss");
    for (int i = 0; i <= 20; ++i)
        plot.appendPoint(name, i, 1.0 + 0.01 * i, i * 3.0);
    plot.refreshNow();
    plot.replot(QCustomPlot::rpImmediateRefresh);
    const QRectF widget(0, 0, plot.width(), plot.height());
    for (int step : {1, 9, 10, 11, 19}) { // near the left edge, either side of centre, right edge
        const QPointF at(plot.xAxis->coordToPixel(step),
                         plot.yAxis->coordToPixel(1.0 + 0.01 * step));
        QMouseEvent move(QEvent::MouseMove, at, plot.mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                         Qt::NoModifier);
        QCoreApplication::sendEvent(&plot, &move);
        QVERIFY2(!plot.hoverText().isEmpty(), qPrintable(QString::number(step)));
        const QRectF box = plot.hoverLabelRect();
        QVERIFY(box.width() > 100); // the long name really is wide
        QVERIFY2(widget.contains(box), qPrintable(QString("step %1: box %2,%3 %4x%5 in %6x%7")
                                                      .arg(step)
                                                      .arg(box.x())
                                                      .arg(box.y())
                                                      .arg(box.width())
                                                      .arg(box.height())
                                                      .arg(plot.width())
                                                      .arg(plot.height())));
    }
}

// Issue 12, defect 3: plots exported from the Runs tab had no legend.
void TestViz::exportAddsTheHiddenLegend() {
    LiveCurvePlot plot;
    plot.resize(400, 300);
    for (int i = 0; i < 10; ++i) {
        plot.appendPoint(QStringLiteral("run-a/train loss"), i, 1.0 / (i + 1), i);
        plot.appendPoint(QStringLiteral("run-b/train loss"), i, 1.5 / (i + 1), i);
    }
    plot.refreshNow();
    plot.legend->setVisible(false); // as on the Runs tab
    QTemporaryDir dir;
    PlotExporter exporter(&plot);
    const QString png = dir.filePath("legend.png");
    QVERIFY2(exporter.savePng(png, 400, 300, 1.0), qPrintable(exporter.errorString()));
    QVERIFY(!plot.legend->visible()); // the screen keeps its state
    const QImage exported(png);
    const QImage screen = plot.toPixmap(400, 300, 1.0).toImage();
    plot.legend->setVisible(true);
    const QImage withLegend = plot.toPixmap(400, 300, 1.0).toImage();
    plot.legend->setVisible(false);
    QCOMPARE(exported.size(), withLegend.size());
    QVERIFY(exported.convertToFormat(QImage::Format_RGB32) !=
            screen.convertToFormat(QImage::Format_RGB32));
    QVERIFY(exported.convertToFormat(QImage::Format_RGB32) ==
            withLegend.convertToFormat(QImage::Format_RGB32));
    const QString svg = dir.filePath("legend.svg");
    QVERIFY(exporter.saveSvg(svg, 400, 300));
    QVERIFY(readAll(svg).contains("run-b/train loss"));
}

// Issue 12, defect 7: labels overlapped past ~40 tokens, and there was no zoom or pan.
void TestViz::longHeatmapsThinLabelsAndZoom() {
    const int t = 120;
    QStringList tokens;
    for (int i = 0; i < t; ++i)
        tokens << QStringLiteral("tok%1").arg(i);
    AttentionHeatmap map;
    map.resize(420, 420);
    map.show();
    QVERIFY(map.setMatrix(sampleAttention(t, 0.5, 7), tokens));
    map.replot(QCustomPlot::rpImmediateRefresh);
    map.replot(QCustomPlot::rpImmediateRefresh);
    const int labelHeight = QFontMetrics(map.xAxis->tickLabelFont()).height();
    const double cell = map.axisRect()->height() / double(t);
    const int stride = map.labelStride();
    QVERIFY2(stride > 1, qPrintable(QString::number(stride)));
    QVERIFY2(
        stride * cell >= labelHeight, // neighbouring labels do not overlap
        qPrintable(
            QString("stride %1, cell %2 px, label %3 px").arg(stride).arg(cell).arg(labelHeight)));
    const auto ticks = map.yAxis->ticker().dynamicCast<QCPAxisTickerText>();
    QVERIFY(ticks && ticks->ticks().size() <= t / 2 + 1);
    QVERIFY(map.interactions().testFlag(QCP::iRangeZoom));
    QVERIFY(map.interactions().testFlag(QCP::iRangeDrag));
    // Zoomed in on 12 tokens: every one is labelled again.
    map.xAxis->setRange(9.5, 21.5);
    map.yAxis->setRange(9.5, 21.5);
    map.replot(QCustomPlot::rpImmediateRefresh);
    QVERIFY(map.isZoomed());
    QCOMPARE(map.labelStride(), 1);
    // Panning past the end stops at the matrix; a double click shows it all again.
    map.xAxis->setRange(200, 212);
    QVERIFY(map.xAxis->range().upper <= t - 0.5 + 1e-9);
    QVERIFY(std::abs(map.xAxis->range().size() - 12.0) < 1e-9);
    map.resetZoom();
    QVERIFY(!map.isZoomed());
    QCOMPARE(map.xAxis->range(), QCPRange(-0.5, t - 0.5));
    // Short inputs keep every label.
    QVERIFY(map.setMatrix(sampleAttention(8, 0.5, 3), tokens.mid(0, 8)));
    map.replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(map.labelStride(), 1);
    QCOMPARE(AttentionHeatmap::strideFor(100, 300.0, 15), 6); // 3 px cells, 15 px labels
    QCOMPARE(AttentionHeatmap::strideFor(10, 300.0, 15), 1);
}

QTEST_MAIN(TestViz)
#include "tst_viz.moc"
