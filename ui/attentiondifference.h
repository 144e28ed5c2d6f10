// Attention difference maps for one layer and head (or the mean of heads): decay(lambda) minus
// causal and bidirectional minus causal, side by side, on one symmetric colour range [-m, m]
// (m = the larger |difference| of the two) with a diverging colour map, white at 0, and a colour
// bar. Red: the mask gives that (query, key) pair more attention than the causal mask does; blue:
// less. Titles name both masks, the layer, the head, the model and the adapter, so exported
// figures (plots(), right-click Export…) say what they show. Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "inspectresult.h"

#include <QWidget>

#include <array>

namespace fsllm {

class AttentionHeatmap;

class AttentionDifference : public QWidget {
    Q_OBJECT

public:
    enum Map { DecayMinusCausal, BidirectionalMinusCausal, MapCount };

    explicit AttentionDifference(QWidget* parent = nullptr);

    // The three results of one sentence; `head` may be AttentionComparison::kMeanHead.
    void setResults(const InspectResult& causal, const InspectResult& decay,
                    const InspectResult& bidirectional, int layer, int head);
    void clear();
    // "model X, no adapter" or "model X\nadapter Y", as AttentionComparison::context().
    void setContext(const QString& context);

    AttentionHeatmap* heatmap(Map map) const { return m_maps[map]; }
    QList<NamedPlot> plots() const;
    double range() const { return m_range; } // m of the shared [-m, m]

    // Row-major [T][T] element-wise a - b (empty when the sizes differ).
    static std::vector<float> difference(const std::vector<float>& a, const std::vector<float>& b);

private:
    std::array<AttentionHeatmap*, MapCount> m_maps{};
    QString m_context;
    double m_range = 0.0;
};

} // namespace fsllm
