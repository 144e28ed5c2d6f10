// Three attention maps side by side - causal, decay(lambda) and bidirectional - for one layer and
// one head (or the mean over heads), or the additive mask matrices M of the three modes instead
// (maskMatrix, HeatmapKind::AdditiveMask) on one shared colour scale. Each map's title names
// the mask, the layer, the head, the model and the adapter (so exported figures do too).
// Thread-safety: GUI thread only.
#pragma once

#include "exportdialog.h"
#include "inspectresult.h"

#include <QWidget>

#include <array>

class QCheckBox;
class QComboBox;

namespace fsllm {

class AttentionHeatmap;

class AttentionComparison : public QWidget {
    Q_OBJECT

public:
    static constexpr int kMeanHead = -1;
    enum Map { CausalMap, DecayMap, BidirectionalMap, MapCount };

    explicit AttentionComparison(QWidget* parent = nullptr);

    // The three results must be of the same sentence (same tokens).
    void setResults(const InspectResult& causal, const InspectResult& decay,
                    const InspectResult& bidirectional);
    void clear();
    // The model and adapter (names) the maps' titles mention, with the layer and the head.
    void setContext(const QString& model, const QString& adapter);

    void setLayer(int layer);
    void setHead(int head); // kMeanHead: the mean over heads
    void setShowMask(bool showMask);
    int layer() const;
    int head() const;
    bool showsMask() const;

    AttentionHeatmap* heatmap(Map map) const { return m_maps[map]; }
    QList<NamedPlot> plots() const;

    // Row-major [T][T] probabilities of `layer` for `head`, or their mean over heads.
    static std::vector<float> headMatrix(const InspectResult& result, int layer, int head);

private:
    void refresh();
    void rebuildSelectors();

    std::array<InspectResult, MapCount> m_results;
    std::array<AttentionHeatmap*, MapCount> m_maps{};
    QComboBox* m_layer;
    QComboBox* m_head;
    QCheckBox* m_showMask;
    QString m_context; // "model X\nadapter Y"
    bool m_hasResults = false;
};

} // namespace fsllm
