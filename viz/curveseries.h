// The samples of one live curve and their exponential moving average (TensorBoard's debiased
// EMA, non-finite values skipped), kept whole so the smoothing weight can change afterwards.
// Plain value type without widgets. Thread-safety: none; owned by one LiveCurvePlot.
#pragma once

#include <QVector>
#include <QtGlobal>

namespace fsllm {

// One sample of a curve: its x in both axis modes and its value.
// Field order matches LiveCurvePlot::appendPoint(series, step, value, wallSeconds).
struct CurvePoint {
    double step = 0.0;
    double value = 0.0;
    double wallSeconds = qQNaN(); // NaN: left out of the wall-time view
};

enum class XAxisMode { Steps, WallTime };

class CurveSeries {
public:
    // Appends a point and returns its smoothed value.
    double append(const CurvePoint& point);

    // Sets the EMA weight w in [0, 1) (the caller clamps it) and recomputes every smoothed value:
    // s_i = (sum_k (1-w) w^(i-k) y_k) / (1 - w^(i+1)) over the finite values y_0..y_i; a
    // non-finite value is its own "smoothed" value (a gap). w = 0 gives the values themselves.
    void setSmoothing(double weight);
    double smoothing() const { return m_weight; }

    int size() const { return int(m_points.size()); }
    const CurvePoint& point(int index) const { return m_points[index]; }
    double smoothed(int index) const { return m_smoothed[index]; }
    const QVector<double>& smoothedValues() const { return m_smoothed; }
    double x(int index, XAxisMode mode) const {
        return mode == XAxisMode::Steps ? m_points[index].step : m_points[index].wallSeconds;
    }

private:
    double smooth(double value);

    QVector<CurvePoint> m_points;
    QVector<double> m_smoothed;
    double m_weight = 0.0;
    double m_emaSum = 0.0;   // sum_k (1-w) w^(n-1-k) y_k over the n finite values so far
    double m_emaPower = 1.0; // w^n
};

} // namespace fsllm
