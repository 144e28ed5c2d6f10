#include "curveseries.h"

#include <cmath>

namespace fsllm {

double CurveSeries::append(const CurvePoint& point) {
    m_points.append(point);
    m_smoothed.append(smooth(point.value));
    return m_smoothed.last();
}

void CurveSeries::setSmoothing(double weight) {
    m_weight = weight;
    m_emaSum = 0.0;
    m_emaPower = 1.0;
    for (int i = 0; i < m_points.size(); ++i)
        m_smoothed[i] = smooth(m_points[i].value);
}

double CurveSeries::smooth(double value) {
    if (!std::isfinite(value))
        return value;
    m_emaSum = m_emaSum * m_weight + (1.0 - m_weight) * value;
    m_emaPower *= m_weight;
    return m_emaSum / (1.0 - m_emaPower);
}

} // namespace fsllm
