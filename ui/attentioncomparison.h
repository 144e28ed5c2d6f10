// Three attention maps side by side - causal, decay(lambda) and bidirectional - for one layer and
// one head (or the mean over heads), or the additive mask matrices M of the three modes instead
// (maskMatrix, HeatmapKind::AdditiveMask) on one shared colour scale. The attention's colour
// scale is chosen (AttentionScale: global = one [0, max] range over the three maps, per row, or
// log10). Each map's title names the mask, the layer, the head, the model and the adapter (so
// exported figures do too). viewChanged() follows every layer, head or scale change.
// Thread-safety: GUI thread only.
#pragma once

#include "attentionscale.h"
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
    void setScale(AttentionScale scale);
    int layer() const;
    int head() const;
    bool showsMask() const;
    AttentionScale scale() const;
    QString context() const { return m_context; }
    // Mask name for titles: "causal", "decay (λ = 0.5)", "bidirectional (λ = 0)".
    static QString maskTitle(const MaskSpec& mask);
    static QString headTitle(int head); // "head 2" or "mean of heads"

    AttentionHeatmap* heatmap(Map map) const { return m_maps[map]; }
    QList<NamedPlot> plots() const;

    // Row-major [T][T] probabilities of `layer` for `head`, or their mean over heads.
    static std::vector<float> headMatrix(const InspectResult& result, int layer, int head);

signals:
    void viewChanged(); // layer, head, scale or mask view

private:
    void refresh();
    void rebuildSelectors();

    std::array<InspectResult, MapCount> m_results;
    std::array<AttentionHeatmap*, MapCount> m_maps{};
    QComboBox* m_layer;
    QComboBox* m_head;
    QCheckBox* m_showMask;
    QComboBox* m_scale;
    QString m_context; // "model X\nadapter Y"
    bool m_hasResults = false;
};

} // namespace fsllm
