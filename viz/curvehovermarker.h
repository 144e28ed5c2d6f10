// The hover read-out of a LiveCurvePlot: a ring on the hovered point and a boxed label beside it,
// on the plot's buffered "overlay" layer, so moving it redraws that layer only (no full replot).
// Thread-safety: GUI thread only.
#pragma once

#include <QColor>
#include <QRectF>
#include <QString>

class QCPItemText;
class QCPItemTracer;
class QCustomPlot;

namespace fsllm {

class CurveHoverMarker {
public:
    static constexpr int kLabelOffsetPx = 12;

    explicit CurveHoverMarker(QCustomPlot* plot); // the items belong to the plot
    // Marks (key, value) on the plot's main axes and shows `text` beside it, on the side facing
    // the middle of the plot area, moved inwards where it would cross the widget's edge.
    void show(double key, double value, const QColor& color, const QString& text);
    QRectF labelRect() const { return m_labelRect; } // widget pixels, of the last show()
    void hide();
    bool isVisible() const;

private:
    void redraw();

    QCustomPlot* m_plot;
    QCPItemTracer* m_tracer;
    QCPItemText* m_label;
    QRectF m_labelRect;
};

} // namespace fsllm
