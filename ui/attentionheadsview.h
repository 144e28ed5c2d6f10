// The Inspect tab's "All heads" page: one mask chosen (causal, decay(lambda), bidirectional), its
// layers x heads grid of small attention maps (AttentionHeadGrid, scrolling when the model has
// many heads), and the colour scale (global over the grid, per row, log10). Clicking a head
// emits headChosen(layer, head): the panel opens it in the big maps. Thread-safety: GUI thread.
#pragma once

#include "attentionscale.h"
#include "inspectresult.h"

#include <QWidget>

#include <array>

class QComboBox;

namespace fsllm {

class AttentionHeadGrid;

class AttentionHeadsView : public QWidget {
    Q_OBJECT

public:
    enum Mask { Causal, Decay, Bidirectional, MaskCount };

    explicit AttentionHeadsView(QWidget* parent = nullptr);

    void setResults(const InspectResult& causal, const InspectResult& decay,
                    const InspectResult& bidirectional);
    void clear();
    void setContext(const QString& context); // model and adapter, shown in the caption
    void setMask(Mask mask);
    void setScale(AttentionScale scale);
    void setSelected(int layer, int head); // outlines the head the big maps show
    Mask mask() const;
    AttentionScale scale() const;
    AttentionHeadGrid* grid() const { return m_grid; }

signals:
    void headChosen(int layer, int head);

private:
    void refresh();

    std::array<InspectResult, MaskCount> m_results;
    bool m_hasResults = false;
    QString m_context;
    QComboBox* m_mask;
    QComboBox* m_scale;
    AttentionHeadGrid* m_grid;
};

} // namespace fsllm
