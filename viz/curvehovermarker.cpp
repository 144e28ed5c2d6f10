#include "curvehovermarker.h"

#include <qcustomplot.h>

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
    m_label->setPositionAlignment((left ? Qt::AlignRight : Qt::AlignLeft) |
                                  (above ? Qt::AlignBottom : Qt::AlignTop));
    m_label->position->setCoords(at.x() + (left ? -kLabelOffsetPx : kLabelOffsetPx),
                                 at.y() + (above ? -kLabelOffsetPx : kLabelOffsetPx));
    m_label->setText(text);
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
