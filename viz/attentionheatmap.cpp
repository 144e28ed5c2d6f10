#include "attentionheatmap.h"

#include "attentionscale.h"
#include "plottitle.h"

#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace fsllm {

namespace {

QString formatValue(float value, HeatmapKind kind) {
    if (std::isinf(value) && value < 0)
        return QStringLiteral("-inf (masked)");
    if (!std::isfinite(value))
        return QString::number(double(value));
    if (kind == HeatmapKind::AdditiveMask || kind == HeatmapKind::LogScaled)
        return QString::number(double(value), 'g', 4);
    if (kind == HeatmapKind::Difference)
        return (value > 0.0f ? QStringLiteral("+") : QString()) +
               (std::abs(value) >= 0.001f ? QString::number(double(value), 'f', 3)
                                          : QString::number(double(value), 'e', 2));
    if (value == 0.0f || std::abs(value) >= 0.001f)
        return QString::number(double(value), 'f', 3);
    return QString::number(double(value), 'e', 2);
}

} // namespace

AttentionHeatmap::AttentionHeatmap(QWidget* parent) : QCustomPlot(parent) {
    setMouseTracking(true);
    axisRect()->setupFullAxesBox(true);
    for (QCPAxis* axis : {xAxis, yAxis, xAxis2, yAxis2}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTickLength(0, 3);
    }
    xAxis2->setTicks(false);
    yAxis2->setTicks(false);
    xAxis->setLabel(tr("key"));
    yAxis->setLabel(tr("query"));
    yAxis->setRangeReversed(true); // query 0 on top, as in a printed matrix
    xAxis->setTickLabelRotation(60);
    axisRect()->setBackground(QBrush(maskedColor())); // shows through transparent -inf cells

    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);

    m_scale = new QCPColorScale(this);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(12);
    plotLayout()->addElement(0, 1, m_scale);
    m_map->setColorScale(m_scale); // the map takes the scale's gradient and range: set them after
    m_map->setGradient(defaultGradient());
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    layer(QStringLiteral("overlay"))->setMode(QCPLayer::lmBuffered); // hover redraws only it
    m_hoverRect = new QCPItemRect(this);
    m_hoverRect->setLayer(QStringLiteral("overlay"));
    m_hoverRect->setPen(QPen(Qt::white, 2.0));
    m_hoverRect->setBrush(Qt::NoBrush);
    m_hoverRect->setVisible(false);

    // Long inputs: wheel zooms, dragging pans (both axes together), a double click shows all.
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    axisRect()->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    connect(xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this] { onRangeChanged(xAxis); });
    connect(yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            [this] { onRangeChanged(yAxis); });
    connect(this, &QCustomPlot::mouseDoubleClick, this, [this] { resetZoom(); });
    // The axis rect's size is known once laid out: relabel for it (a resize changes it).
    connect(this, &QCustomPlot::afterLayout, this, &AttentionHeatmap::applyTickLabels);

    connect(this, &QCustomPlot::mouseMove, this, &AttentionHeatmap::onMouseMove);
    clearMatrix();
}

void AttentionHeatmap::resetZoom() {
    if (m_tokenCount == 0)
        return;
    xAxis->setRange(-0.5, m_tokenCount - 0.5);
    yAxis->setRange(-0.5, m_tokenCount - 0.5);
    replot(rpQueuedReplot);
}

bool AttentionHeatmap::isZoomed() const {
    return m_tokenCount > 0 && xAxis->range().size() < m_tokenCount - 1e-6;
}

void AttentionHeatmap::onRangeChanged(QCPAxis* axis) {
    if (m_inRangeChange)
        return;
    m_inRangeChange = true;
    // Keep the view inside the matrix (at most all of it), then relabel for the new density.
    const double low = -0.5, high = std::max(m_tokenCount, 1) - 0.5;
    QCPRange range = axis->range();
    if (range.size() > high - low)
        range = QCPRange(low, high);
    if (range.lower < low)
        range += low - range.lower;
    if (range.upper > high)
        range -= range.upper - high;
    if (range != axis->range())
        axis->setRange(range);
    m_inRangeChange = false;
    applyTickLabels();
}

AttentionHeatmap::~AttentionHeatmap() = default;

bool AttentionHeatmap::setMatrix(const std::vector<float>& values, const QStringList& tokens,
                                 HeatmapKind kind) {
    const size_t t = size_t(tokens.size());
    if (t == 0 || values.size() != t * t)
        return false;
    return setMatrix(values.data(), tokens, kind);
}

bool AttentionHeatmap::setMatrix(const float* values, const QStringList& tokens, HeatmapKind kind) {
    const int t = int(tokens.size());
    if (t == 0 || values == nullptr)
        return false;
    m_values.assign(values, values + size_t(t) * size_t(t));
    m_tokens = tokens;
    m_tokenCount = t;
    m_labelledTokens = -1; // new tokens: relabel
    m_kind = kind;

    // Masked (non-finite) cells hold the smallest finite value, fully transparent, so the map's
    // data never carries NaN/inf and the axis rect's masked colour shows through.
    float lowest = std::numeric_limits<float>::infinity();
    for (float v : m_values)
        if (std::isfinite(v))
            lowest = std::min(lowest, v);
    if (!std::isfinite(lowest))
        lowest = 0.0f;
    QCPColorMapData* data = m_map->data();
    data->clear();
    data->setSize(t, t);
    data->setRange(QCPRange(0, t - 1), QCPRange(0, t - 1));
    bool anyMasked = false;
    for (int row = 0; row < t; ++row) {
        for (int col = 0; col < t; ++col) {
            const float v = m_values[size_t(row) * t + col];
            const bool finite = std::isfinite(v);
            data->setCell(col, row, finite ? v : lowest); // key index = column, value = row
            anyMasked = anyMasked || !finite;
        }
    }
    if (anyMasked) {
        for (int row = 0; row < t; ++row)
            for (int col = 0; col < t; ++col)
                if (!std::isfinite(m_values[size_t(row) * t + col]))
                    data->setAlpha(col, row, 0);
    } else {
        data->clearAlpha();
    }
    xAxis->setRange(-0.5, t - 0.5);
    yAxis->setRange(-0.5, t - 0.5);
    QString scaleLabel;
    switch (kind) {
    case HeatmapKind::Probabilities:
        scaleLabel = tr("attention");
        break;
    case HeatmapKind::AdditiveMask:
        scaleLabel = tr("mask M[i][j]");
        break;
    case HeatmapKind::Difference:
        scaleLabel = tr("difference (0: white)");
        break;
    case HeatmapKind::RowScaled:
        scaleLabel = tr("attention / row max");
        break;
    case HeatmapKind::LogScaled:
        scaleLabel = tr("log10 attention");
        break;
    }
    m_map->setGradient(kind == HeatmapKind::Difference ? divergingGradient() : defaultGradient());
    if (anyMasked)
        scaleLabel += tr(" (grey: -inf)");
    m_scale->axis()->setLabel(scaleLabel);
    applyColorRange();
    applyTickLabels();
    hideHover();
    replot(rpQueuedReplot);
    return true;
}

void AttentionHeatmap::clearMatrix() {
    m_values.clear();
    m_tokens.clear();
    m_tokenCount = 0;
    m_labelStride = 0;
    m_labelledTokens = -1;
    m_map->data()->clear();
    xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    xAxis->setRange(-0.5, 0.5);
    yAxis->setRange(-0.5, 0.5);
    applyColorRange();
    hideHover();
    replot(rpQueuedReplot);
}

void AttentionHeatmap::setTitle(const QString& title) {
    m_title = PlotTitle::set(this, m_title, title);
    replot(rpQueuedReplot);
}

QString AttentionHeatmap::title() const {
    return m_title ? m_title->text() : QString();
}

void AttentionHeatmap::setColorRange(const QCPRange& range) {
    m_customRange = true;
    m_customRangeValue = range;
    applyColorRange();
    replot(rpQueuedReplot);
}

void AttentionHeatmap::resetColorRange() {
    m_customRange = false;
    applyColorRange();
    replot(rpQueuedReplot);
}

void AttentionHeatmap::setGradient(const QCPColorGradient& gradient) {
    m_map->setGradient(gradient);
    replot(rpQueuedReplot);
}

QColor AttentionHeatmap::maskedColor() {
    return QColor(72, 72, 72);
}

QCPColorGradient AttentionHeatmap::defaultGradient() {
    // Viridis: perceptually uniform, readable in greyscale print, no grey in it (masked cells).
    QCPColorGradient gradient;
    gradient.clearColorStops();
    const QColor stops[] = {
        QColor(0x44, 0x01, 0x54), QColor(0x47, 0x2c, 0x7a), QColor(0x3b, 0x51, 0x8b),
        QColor(0x2c, 0x71, 0x8e), QColor(0x21, 0x90, 0x8d), QColor(0x27, 0xad, 0x81),
        QColor(0x5c, 0xc8, 0x63), QColor(0xaa, 0xdc, 0x32), QColor(0xfd, 0xe7, 0x25)};
    const int count = int(sizeof stops / sizeof stops[0]);
    for (int i = 0; i < count; ++i)
        gradient.setColorStopAt(double(i) / (count - 1), stops[i]);
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    return gradient;
}

QCPColorGradient AttentionHeatmap::divergingGradient() {
    // ColorBrewer RdBu (reversed): negative blue, zero white, positive red.
    QCPColorGradient gradient;
    gradient.clearColorStops();
    const QColor stops[] = {QColor(0x21, 0x66, 0xac), QColor(0x67, 0xa9, 0xcf),
                            QColor(0xd1, 0xe5, 0xf0), QColor(0xf7, 0xf7, 0xf7),
                            QColor(0xfd, 0xdb, 0xc7), QColor(0xef, 0x8a, 0x62),
                            QColor(0xb2, 0x18, 0x2b)};
    const int count = int(sizeof stops / sizeof stops[0]);
    for (int i = 0; i < count; ++i)
        gradient.setColorStopAt(double(i) / (count - 1), stops[i]);
    gradient.setColorInterpolation(QCPColorGradient::ciRGB);
    return gradient;
}

float AttentionHeatmap::value(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_tokenCount || col >= m_tokenCount)
        return std::numeric_limits<float>::quiet_NaN();
    return m_values[size_t(row) * m_tokenCount + col];
}

bool AttentionHeatmap::cellAt(const QPointF& pixel, int* row, int* col) const {
    if (m_tokenCount == 0 || !axisRect()->rect().contains(pixel.toPoint()))
        return false;
    const int c = int(std::lround(xAxis->pixelToCoord(pixel.x())));
    const int r = int(std::lround(yAxis->pixelToCoord(pixel.y())));
    if (r < 0 || c < 0 || r >= m_tokenCount || c >= m_tokenCount)
        return false;
    if (row)
        *row = r;
    if (col)
        *col = c;
    return true;
}

QString AttentionHeatmap::readout(int row, int col) const {
    if (row < 0 || col < 0 || row >= m_tokenCount || col >= m_tokenCount)
        return QString();
    return tr("query %1 '%2' -> key %3 '%4': %5")
        .arg(row)
        .arg(m_tokens[row])
        .arg(col)
        .arg(m_tokens[col])
        .arg(formatValue(value(row, col), m_kind));
}

QString AttentionHeatmap::toCsv() const {
    QString csv = QStringLiteral("row,col,query,key,value\n");
    for (int row = 0; row < m_tokenCount; ++row) {
        for (int col = 0; col < m_tokenCount; ++col) {
            csv += QString::number(row) + QLatin1Char(',') + QString::number(col) +
                   QLatin1Char(',') + csvField(m_tokens[row]) + QLatin1Char(',') +
                   csvField(m_tokens[col]) + QLatin1Char(',') + csvNumber(value(row, col)) +
                   QLatin1Char('\n');
        }
    }
    return csv;
}

void AttentionHeatmap::leaveEvent(QEvent* event) {
    hideHover();
    QCustomPlot::leaveEvent(event);
}

void AttentionHeatmap::applyColorRange() {
    QCPRange range(0.0, 1.0);
    if (m_customRange) {
        range = m_customRangeValue;
    } else if (m_kind == HeatmapKind::AdditiveMask) {
        float lowest = 0.0f;
        for (float v : m_values)
            if (std::isfinite(v))
                lowest = std::min(lowest, v);
        range = QCPRange(lowest < 0.0f ? double(lowest) : -1.0, 0.0);
    } else if (m_kind == HeatmapKind::Difference) {
        float largest = 0.0f;
        for (float v : m_values)
            if (std::isfinite(v))
                largest = std::max(largest, std::abs(v));
        const double m = largest > 0.0f ? double(largest) : 1.0;
        range = QCPRange(-m, m); // symmetric: 0 is the gradient's white middle
    } else if (m_kind == HeatmapKind::LogScaled) {
        range = QCPRange(std::log10(double(kLogFloor)), 0.0);
    }
    m_map->setDataRange(range);
}

int AttentionHeatmap::strideFor(int cells, double pixels, int labelPixels) {
    if (cells <= 0)
        return 1;
    if (pixels <= 0.0) // not laid out yet: at most kMaxLabelledTokens labels
        return std::max(1, (cells + kMaxLabelledTokens - 1) / kMaxLabelledTokens);
    const double perCell = pixels / cells;
    return std::max(1, int(std::ceil(labelPixels * kLabelSpacing / perCell)));
}

void AttentionHeatmap::applyTickLabels() {
    QFont labelFont = font();
    if (m_tokenCount > 24)
        labelFont.setPointSizeF(labelFont.pointSizeF() * 0.85);
    xAxis->setTickLabelFont(labelFont);
    yAxis->setTickLabelFont(labelFont);
    // Every k-th token, k chosen so neighbouring labels never overlap at the visible density
    // (rows: the label's height; columns: rotated labels need about the same spacing).
    const QRect area = axisRect()->rect();
    const double visible = std::max(1.0, std::min(xAxis->range().size(), yAxis->range().size()));
    const double pixels = area.isValid() ? std::min(area.width(), area.height()) : 0.0;
    const int stride = strideFor(int(std::ceil(visible)), pixels, QFontMetrics(labelFont).height());
    if (stride == m_labelStride && m_labelledTokens == m_tokenCount)
        return;
    m_labelStride = stride;
    m_labelledTokens = m_tokenCount;
    auto xTicker = QSharedPointer<QCPAxisTickerText>::create();
    auto yTicker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < m_tokenCount; i += stride) {
        xTicker->addTick(i, tokenLabel(i));
        yTicker->addTick(i, tokenLabel(i));
    }
    xAxis->setTicker(xTicker);
    yAxis->setTicker(yTicker);
    replot(rpQueuedReplot); // the ticks of a replot under way were laid out already
}

void AttentionHeatmap::onMouseMove(QMouseEvent* event) {
    int row = 0, col = 0;
    if (!cellAt(event->position(), &row, &col)) {
        hideHover();
        return;
    }
    m_hoverText = readout(row, col);
    m_hoverRect->topLeft->setCoords(col - 0.5, row - 0.5);
    m_hoverRect->bottomRight->setCoords(col + 0.5, row + 0.5);
    m_hoverRect->setVisible(true);
    layer(QStringLiteral("overlay"))->replot();
    QToolTip::showText(event->globalPosition().toPoint(), m_hoverText, this);
}

void AttentionHeatmap::hideHover() {
    m_hoverText.clear();
    if (!m_hoverRect->visible())
        return;
    m_hoverRect->setVisible(false);
    layer(QStringLiteral("overlay"))->replot();
    QToolTip::hideText();
}

QString AttentionHeatmap::tokenLabel(int index) const {
    QString label = m_tokens[index];
    label.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    label.replace(QLatin1Char('\t'), QStringLiteral("\\t"));
    if (label.size() > kMaxLabelChars)
        label = label.left(kMaxLabelChars - 1) + QChar(0x2026);
    return label;
}

} // namespace fsllm
