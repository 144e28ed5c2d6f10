#include "curvehovermarker.h"

#include <qcustomplot.h>

#include <QStringList>

#include <algorithm>

namespace fsllm {

namespace {
const QString kLayer = QStringLiteral("overlay");
}

CurveHoverMarker::CurveHoverMarker(QCustomPlot* plot) : m_plot(plot) {
    plot->layer(kLayer)->setMode(QCPLayer::lmBuffered);
    m_tracer = new QCPItemTracer(plot);
    m_tracer->setLayer(kLayer);
    m_tracer->setStyle(QCPItemTracer::tsCircle);
    m_tracer->setSize(8);
    m_tracer->setBrush(Qt::white);
    m_tracer->setVisible(false);
    m_label = new QCPItemText(plot);
    m_label->setLayer(kLayer);
    m_label->setClipToAxisRect(false);
    m_label->position->setType(QCPItemPosition::ptAbsolute);
    m_label->setTextAlignment(Qt::AlignLeft);
    m_label->setPadding(QMargins(5, 3, 5, 3));
    m_label->setBrush(QColor(255, 255, 255, 230));
    m_label->setPen(QPen(QColor(150, 150, 150)));
    m_label->setVisible(false);
}

void CurveHoverMarker::show(double key, double value, const QColor& color, const QString& text) {
    m_tracer->position->setCoords(key, value);
    m_tracer->setPen(QPen(color, 1.5));
    m_tracer->setVisible(true);

    const QRect area = m_plot->axisRect()->rect();
    const QPointF at(m_plot->xAxis->coordToPixel(key), m_plot->yAxis->coordToPixel(value));
    const bool left = at.x() > area.center().x();
    const bool above = at.y() > area.center().y();
    m_label->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    // Lines wider than the widget are elided in the middle; then the box's top-left corner goes
    // beside the point, kept inside the widget so a read-out near an edge is never cut off.
    const QMargins padding = m_label->padding();
    const QFontMetrics metrics(m_label->font());
    const int maxLine = std::max(20, m_plot->width() - padding.left() - padding.right() - 4);
    QStringList lines = text.split(QLatin1Char('\n'));
    for (QString& line : lines)
        line = metrics.elidedText(line, Qt::ElideMiddle, maxLine);
    const QString shown = lines.join(QLatin1Char('\n'));
    m_label->setText(shown);
    const QSize box = metrics.size(0, shown).grownBy(padding) + QSize(2, 2);
    double x = left ? at.x() - kLabelOffsetPx - box.width() : at.x() + kLabelOffsetPx;
    double y = above ? at.y() - kLabelOffsetPx - box.height() : at.y() + kLabelOffsetPx;
    x = std::clamp(x, 0.0, std::max(0.0, double(m_plot->width() - box.width())));
    y = std::clamp(y, 0.0, std::max(0.0, double(m_plot->height() - box.height())));
    m_label->position->setCoords(x, y);
    m_labelRect = QRectF(QPointF(x, y), QSizeF(box));
    m_label->setColor(color.darker(140));
    m_label->setVisible(true);
    redraw();
}

void CurveHoverMarker::hide() {
    if (!isVisible())
        return;
    m_tracer->setVisible(false);
    m_label->setVisible(false);
    redraw();
}

bool CurveHoverMarker::isVisible() const {
    return m_tracer->visible() || m_label->visible();
}

void CurveHoverMarker::redraw() {
    m_plot->layer(kLayer)->replot();
}

} // namespace fsllm
