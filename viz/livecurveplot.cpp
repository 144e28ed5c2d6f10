#include "livecurveplot.h"

#include "curvehovermarker.h"
#include "plottitle.h"

#include <algorithm>
#include <cmath>

namespace fsllm {

namespace {

// Tableau 10: distinct hues that stay apart in print and for common colour-vision deficiencies.
const QColor kPalette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                           QColor(0x2c, 0xa0, 0x2c), QColor(0xd6, 0x27, 0x28),
                           QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                           QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f),
                           QColor(0xbc, 0xbd, 0x22), QColor(0x17, 0xbe, 0xcf)};
constexpr int kPaletteSize = int(sizeof kPalette / sizeof kPalette[0]);
constexpr int kRawAlpha = 70;
constexpr double kYPadding = 0.05; // fraction of the data range added above and below

double drawable(double value) {
    return std::isfinite(value) ? value : qQNaN();
}

QString formatNumber(double value) {
    return QString::number(value, 'g', 6);
}

QString formatSeconds(double seconds) {
    if (seconds < 60.0)
        return QString::number(seconds, 'f', 1) + QStringLiteral(" s");
    const qint64 whole = qint64(seconds);
    const QString minSec = QStringLiteral("%1:%2")
                               .arg((whole / 60) % 60, 2, 10, QLatin1Char('0'))
                               .arg(whole % 60, 2, 10, QLatin1Char('0'));
    if (whole < 3600)
        return QString::number(whole / 60) + minSec.mid(2);
    return QString::number(whole / 3600) + QLatin1Char(':') + minSec;
}

} // namespace

struct LiveCurvePlot::Series {
    QString name;
    QColor color;
    QCPGraph* raw = nullptr;    // faded raw values (hidden when smoothing is 0)
    QCPGraph* smooth = nullptr; // EMA of the values (the raw values when smoothing is 0)
    CurveSeries data;
};

LiveCurvePlot::LiveCurvePlot(QWidget* parent) : QCustomPlot(parent) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setMouseTracking(true);
    setNoAntialiasingOnDrag(true);
    xAxis->setLabel(tr("step"));
    yAxis->setLabel(tr("value"));
    xAxis2->setVisible(true);
    xAxis2->setTicks(false);
    xAxis2->setTickLabels(false);
    yAxis2->setVisible(true);
    yAxis2->setTicks(false);
    yAxis2->setTickLabels(false);

    legend->setVisible(false);
    legend->setBrush(QColor(255, 255, 255, 210));
    legend->setBorderPen(QPen(QColor(190, 190, 190)));
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.9);
    legend->setFont(legendFont);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);

    m_hover = std::make_unique<CurveHoverMarker>(this);

    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(kRefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, &LiveCurvePlot::refreshNow);
    connect(this, &QCustomPlot::mouseMove, this, &LiveCurvePlot::onMouseMove);
    connect(this, &QCustomPlot::mouseWheel, this, &LiveCurvePlot::onMouseWheel);
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { rescaleToData(); });
}

LiveCurvePlot::~LiveCurvePlot() = default;

void LiveCurvePlot::appendPoint(const QString& series, double step, double value,
                                double wallSeconds) {
    addPoint(seriesFor(series), CurvePoint{step, value, wallSeconds});
    markDirty();
}

void LiveCurvePlot::appendPoints(const QString& series, const QVector<CurvePoint>& points) {
    Series& target = seriesFor(series);
    for (const CurvePoint& point : points)
        addPoint(target, point);
    markDirty();
}

void LiveCurvePlot::removeSeries(const QString& series) {
    const auto it = m_seriesIndex.constFind(series);
    if (it == m_seriesIndex.constEnd())
        return;
    const int index = it.value();
    removeGraph(m_series[index]->raw);
    removeGraph(m_series[index]->smooth);
    m_series.erase(m_series.begin() + index);
    m_seriesIndex.clear();
    for (int i = 0; i < int(m_series.size()); ++i)
        m_seriesIndex.insert(m_series[i]->name, i);
    legend->setVisible(!m_series.empty());
    hideHover();
    markDirty();
}

void LiveCurvePlot::clear() {
    while (!m_series.empty())
        removeSeries(m_series.back()->name);
    m_nextColor = 0;
    markDirty();
}

void LiveCurvePlot::setSmoothing(double weight) {
    const double clamped = std::isfinite(weight) ? std::clamp(weight, 0.0, kMaxSmoothing) : 0.0;
    if (clamped == m_smoothing)
        return;
    m_smoothing = clamped;
    for (auto& series : m_series) {
        series->data.setSmoothing(m_smoothing);
        applySeriesStyle(*series);
        rebuildGraphs(*series);
    }
    hideHover();
    markDirty();
}

void LiveCurvePlot::setXAxisMode(XAxisMode mode) {
    if (mode == m_xAxisMode)
        return;
    m_xAxisMode = mode;
    xAxis->setLabel(mode == XAxisMode::Steps ? tr("step") : tr("wall time (s)"));
    for (auto& series : m_series)
        rebuildGraphs(*series);
    hideHover();
    rescaleToData();
}

void LiveCurvePlot::setLogScaleY(bool enabled) {
    if (enabled == m_logScaleY)
        return;
    m_logScaleY = enabled;
    if (enabled) {
        yAxis->setScaleType(QCPAxis::stLogarithmic);
        auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
        ticker->setSubTickCount(8);
        yAxis->setTicker(ticker);
    } else {
        yAxis->setScaleType(QCPAxis::stLinear);
        yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
    hideHover();
    rescaleToData();
}

void LiveCurvePlot::setTitle(const QString& title) {
    m_title = PlotTitle::set(this, m_title, title);
    markDirty();
}

void LiveCurvePlot::setValueLabel(const QString& label) {
    yAxis->setLabel(label);
    markDirty();
}

void LiveCurvePlot::setSeriesColor(const QString& series, const QColor& color) {
    Series& target = seriesFor(series);
    target.color = color;
    applySeriesStyle(target);
    markDirty();
}

void LiveCurvePlot::setLegendAlignment(Qt::Alignment alignment) {
    axisRect()->insetLayout()->setInsetAlignment(0, alignment);
    markDirty();
}

void LiveCurvePlot::rescaleToData() {
    m_following = true;
    refreshNow();
}

void LiveCurvePlot::refreshNow() {
    m_refreshTimer.stop();
    if (m_following)
        fitAxes();      // also while hidden, so exports of a hidden plot show all of the data
    if (!isVisible()) { // e.g. on a background tab: replot once when shown
        m_dirty = true;
        return;
    }
    m_dirty = false;
    replot(rpQueuedReplot);
}

QStringList LiveCurvePlot::seriesNames() const {
    QStringList names;
    for (const auto& series : m_series)
        names.append(series->name);
    return names;
}

int LiveCurvePlot::pointCount(const QString& series) const {
    const Series* found = findSeries(series);
    return found ? found->data.size() : -1;
}

QVector<double> LiveCurvePlot::smoothedValues(const QString& series) const {
    const Series* found = findSeries(series);
    return found ? found->data.smoothedValues() : QVector<double>();
}

QCPGraph* LiveCurvePlot::smoothedGraph(const QString& series) const {
    const Series* found = findSeries(series);
    return found ? found->smooth : nullptr;
}

QCPGraph* LiveCurvePlot::rawGraph(const QString& series) const {
    const Series* found = findSeries(series);
    return found ? found->raw : nullptr;
}

QColor LiveCurvePlot::seriesColor(const QString& series) const {
    const Series* found = findSeries(series);
    return found ? found->color : QColor();
}

QString LiveCurvePlot::readoutAt(const QPointF& pixel) const {
    return readout(nearestPoint(pixel));
}

void LiveCurvePlot::showEvent(QShowEvent* event) {
    QCustomPlot::showEvent(event);
    if (m_dirty)
        refreshNow();
}

void LiveCurvePlot::leaveEvent(QEvent* event) {
    hideHover();
    QCustomPlot::leaveEvent(event);
}

LiveCurvePlot::Series* LiveCurvePlot::findSeries(const QString& name) const {
    const auto it = m_seriesIndex.constFind(name);
    return it == m_seriesIndex.constEnd() ? nullptr : m_series[it.value()].get();
}

LiveCurvePlot::Series& LiveCurvePlot::seriesFor(const QString& name) {
    if (Series* found = findSeries(name))
        return *found;
    auto series = std::make_unique<Series>();
    series->name = name;
    series->data.setSmoothing(m_smoothing);
    series->color = kPalette[m_nextColor++ % kPaletteSize];
    series->raw = addGraph(xAxis, yAxis); // drawn first, under the smoothed line
    series->raw->setName(name + tr(" (raw)"));
    series->raw->removeFromLegend();
    series->smooth = addGraph(xAxis, yAxis);
    series->smooth->setName(name);
    applySeriesStyle(*series);
    m_seriesIndex.insert(name, int(m_series.size()));
    m_series.push_back(std::move(series));
    legend->setVisible(true);
    return *m_series.back();
}

void LiveCurvePlot::addPoint(Series& series, const CurvePoint& point) {
    const double smoothed = series.data.append(point);
    const double x = m_xAxisMode == XAxisMode::Steps ? point.step : point.wallSeconds;
    if (std::isfinite(x)) {
        // Appends at the end of QCustomPlot's sorted container are O(1); no replot here.
        series.raw->addData(x, drawable(point.value));
        series.smooth->addData(x, drawable(smoothed));
    }
}

void LiveCurvePlot::rebuildGraphs(Series& series) {
    const CurveSeries& data = series.data;
    QVector<double> keys, raw, smooth;
    keys.reserve(data.size());
    raw.reserve(data.size());
    smooth.reserve(data.size());
    for (int i = 0; i < data.size(); ++i) {
        const double x = data.x(i, m_xAxisMode);
        if (!std::isfinite(x))
            continue;
        keys.append(x);
        raw.append(drawable(data.point(i).value));
        smooth.append(drawable(data.smoothed(i)));
    }
    series.raw->setData(keys, raw);
    series.smooth->setData(keys, smooth);
}

void LiveCurvePlot::applySeriesStyle(Series& series) {
    QColor faded = series.color;
    faded.setAlpha(kRawAlpha);
    series.raw->setPen(QPen(faded, 1.0));
    series.raw->setVisible(m_smoothing > 0.0);
    series.smooth->setPen(QPen(series.color, m_smoothing > 0.0 ? 2.0 : 1.5));
}

LiveCurvePlot::Nearest LiveCurvePlot::nearestPoint(const QPointF& pixel) const {
    Nearest best;
    if (!axisRect()->rect().contains(pixel.toPoint()))
        return best;
    const double a = xAxis->pixelToCoord(pixel.x() - kHoverRadiusPx);
    const double b = xAxis->pixelToCoord(pixel.x() + kHoverRadiusPx);
    const double lo = std::min(a, b), hi = std::max(a, b);
    double bestDistance = kHoverRadiusPx * kHoverRadiusPx;
    const auto consider = [&](int s, int i, double x, double y) {
        if (!std::isfinite(y) || (m_logScaleY && y <= 0.0))
            return;
        const double dx = xAxis->coordToPixel(x) - pixel.x();
        const double dy = yAxis->coordToPixel(y) - pixel.y();
        const double distance = dx * dx + dy * dy;
        if (distance < bestDistance) {
            bestDistance = distance;
            best = Nearest{s, i};
        }
    };
    for (int s = 0; s < int(m_series.size()); ++s) {
        const Series& series = *m_series[s];
        if (!series.smooth->visible())
            continue;
        const bool rawShown = series.raw->visible();
        for (int i = 0; i < series.data.size(); ++i) {
            const double x = series.data.x(i, m_xAxisMode);
            if (!(x >= lo && x <= hi)) // cheap key-window test first; also drops NaN keys
                continue;
            consider(s, i, x, series.data.smoothed(i));
            if (rawShown)
                consider(s, i, x, series.data.point(i).value);
        }
    }
    return best;
}

QString LiveCurvePlot::readout(const Nearest& nearest) const {
    if (nearest.series < 0)
        return QString();
    const Series& series = *m_series[nearest.series];
    const CurvePoint& point = series.data.point(nearest.point);
    QString text = series.name + QLatin1Char('\n') + tr("step %1").arg(point.step, 0, 'g', 10);
    if (std::isfinite(point.wallSeconds))
        text += QStringLiteral(" \u00b7 ") + formatSeconds(point.wallSeconds);
    text += QLatin1Char('\n');
    const QString value = formatNumber(point.value);
    if (m_smoothing > 0.0)
        return text +
               tr("%1 (raw %2)").arg(formatNumber(series.data.smoothed(nearest.point)), value);
    return text + value;
}

void LiveCurvePlot::markDirty() {
    m_dirty = true;
    if (!m_refreshTimer.isActive())
        m_refreshTimer.start();
}

void LiveCurvePlot::onMouseMove(QMouseEvent* event) {
    if (event->buttons() & Qt::LeftButton) { // a range drag: the user takes over the view
        m_following = false;
        hideHover();
        return;
    }
    const Nearest nearest = nearestPoint(event->position());
    if (nearest.series < 0) {
        hideHover();
        return;
    }
    const Series& series = *m_series[nearest.series];
    const double x = series.data.x(nearest.point, m_xAxisMode);
    const double y = series.data.smoothed(nearest.point);
    m_hoverText = readout(nearest);
    m_hover->show(x, y, series.color, m_hoverText);
}

void LiveCurvePlot::onMouseWheel(QWheelEvent*) {
    m_following = false;
}

QRectF LiveCurvePlot::hoverLabelRect() const {
    return m_hover->isVisible() ? m_hover->labelRect() : QRectF();
}

void LiveCurvePlot::hideHover() {
    m_hoverText.clear();
    m_hover->hide();
}

void LiveCurvePlot::fitAxes() {
    bool hasData = false;
    for (const auto& series : m_series)
        hasData = hasData || !series->smooth->data()->isEmpty();
    if (!hasData)
        return;
    rescaleAxes(true);
    const QCPRange range = yAxis->range();
    if (m_logScaleY) {
        if (range.lower > 0.0) {
            const double factor = std::pow(range.upper / range.lower, kYPadding);
            yAxis->setRange(range.lower / factor, range.upper * factor);
        }
    } else {
        double pad = range.size() * kYPadding;
        if (pad <= 0.0)
            pad = std::max(std::abs(range.upper) * kYPadding, 1e-12);
        yAxis->setRange(range.lower - pad, range.upper + pad);
    }
}

} // namespace fsllm
