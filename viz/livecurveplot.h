// Live training curves (train/eval loss, accuracy/F1, learning rate): named series ("run/metric")
// of (step, wall seconds, value) points appended as they arrive, with EMA smoothing (faded raw
// curve under the smoothed line), a step or wall-time x axis, log-scale y, a hover read-out, mouse
// zoom/pan (double-click rescales) and a legend for overlaid runs. Appends store the point and
// mark the plot dirty; a 10 Hz single-shot timer then issues one queued replot (none while the
// plot is hidden), so thousands of appends per second never stall the event loop. Thread-safety:
// GUI thread only (a QWidget).
#pragma once

#include "curveseries.h"

#include <qcustomplot.h>

#include <QHash>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVector>

#include <memory>
#include <vector>

namespace fsllm {

class CurveHoverMarker;

class LiveCurvePlot : public QCustomPlot {
    Q_OBJECT

public:
    static constexpr int kRefreshIntervalMs = 100; // at most 10 replots per second
    static constexpr double kMaxSmoothing = 0.99;
    static constexpr double kHoverRadiusPx = 24.0;

    explicit LiveCurvePlot(QWidget* parent = nullptr);
    ~LiveCurvePlot() override;

    // Appends to `series` (created on first use with the next palette colour). `step` is the x in
    // XAxisMode::Steps, `wallSeconds` the x in XAxisMode::WallTime (NaN: not in that view). A
    // non-finite value is kept but drawn as a gap.
    void appendPoint(const QString& series, double step, double value,
                     double wallSeconds = qQNaN());
    void appendPoints(const QString& series, const QVector<CurvePoint>& points);
    void removeSeries(const QString& series);
    void clear(); // removes every series

    // Exponential moving average weight w in [0, kMaxSmoothing] (clamped), TensorBoard style:
    // s_i = (sum_k (1-w) w^(i-k) y_k) / (1 - w^(i+1)) over the finite values so far. 0 draws the
    // raw curve only; above 0 the raw curve is drawn faded under the smoothed one.
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }

    void setXAxisMode(XAxisMode mode);
    XAxisMode xAxisMode() const { return m_xAxisMode; }
    void setLogScaleY(bool enabled);
    bool logScaleY() const { return m_logScaleY; }

    void setTitle(const QString& title);      // empty: no title row
    void setValueLabel(const QString& label); // y axis title, e.g. "loss"
    void setSeriesColor(const QString& series, const QColor& color);
    void setLegendAlignment(Qt::Alignment alignment); // corner of the plot area

    // Fits both axes to the data and follows new data again (also on double-click). Dragging or
    // wheel-zooming stops following until then.
    void rescaleToData();
    bool isFollowingData() const { return m_following; }

    // Rescales the axes (when following) and queues a replot now instead of at the next timer
    // tick. A hidden plot only rescales; it replots when it is shown.
    void refreshNow();

    QStringList seriesNames() const;             // in creation order
    int pointCount(const QString& series) const; // -1 for an unknown series
    QVector<double> smoothedValues(const QString& series) const;
    QCPGraph* smoothedGraph(const QString& series) const; // the solid line (legend entry)
    QCPGraph* rawGraph(const QString& series) const;      // the faded raw curve
    QColor seriesColor(const QString& series) const;

    // "series\nstep S · T s\nvalue V (raw R)" for the drawn point nearest to `pixel` (widget
    // coordinates) within kHoverRadiusPx, or an empty string. Needs a laid-out plot (a replot).
    QString readoutAt(const QPointF& pixel) const;
    QString hoverText() const { return m_hoverText; }
    QRectF hoverLabelRect() const; // the read-out's box in widget pixels; empty when hidden

protected:
    void showEvent(QShowEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Series;
    struct Nearest {
        int series = -1;
        int point = -1;
    };

    Series* findSeries(const QString& name) const;
    Series& seriesFor(const QString& name);
    void addPoint(Series& series, const CurvePoint& point);
    void rebuildGraphs(Series& series);
    void applySeriesStyle(Series& series);
    Nearest nearestPoint(const QPointF& pixel) const;
    QString readout(const Nearest& nearest) const;
    void markDirty();
    void onMouseMove(QMouseEvent* event);
    void onMouseWheel(QWheelEvent* event);
    void hideHover();
    void fitAxes();

    std::vector<std::unique_ptr<Series>> m_series;
    QHash<QString, int> m_seriesIndex;
    int m_nextColor = 0;
    double m_smoothing = 0.6;
    XAxisMode m_xAxisMode = XAxisMode::Steps;
    bool m_logScaleY = false;
    bool m_following = true;
    bool m_dirty = false;
    QTimer m_refreshTimer;
    QCPTextElement* m_title = nullptr;
    std::unique_ptr<CurveHoverMarker> m_hover;
    QString m_hoverText;
};

} // namespace fsllm
