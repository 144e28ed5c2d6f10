// The Inspect tab's "All heads" page: one mask chosen (causal, decay(lambda), bidirectional), its
// layers x heads grid of small attention maps (AttentionHeadGrid, scrolling when the model has
// many heads), and the colour scale (global over the grid, per row, log10). Clicking a head
// emits headChosen(layer, head): the panel opens it in the big maps. "Export…" (also the grid's
// right-click menu) writes the grid as a PNG whose title says it is the all-heads grid and
// names the mask, scale, model and adapter, as the single maps' exports name theirs.
// Thread-safety: GUI thread.
#pragma once

#include "attentionscale.h"
#include "inspectresult.h"

#include <QWidget>

#include <array>

class QComboBox;
class QPushButton;

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
    bool hasResults() const { return m_hasResults; }

    // "All heads (layers x heads) · <mask> · <T> tokens · <scale> scale", then the model and
    // the adapter a line each; "" before the first results.
    QString exportTitle() const;
    // The grid with exportTitle() on top, as PNG (`scale` pixels per point, 96 * scale dpi;
    // 0 < scale <= 8), atomically (QSaveFile). False + `error` naming the file when nothing is
    // shown or it cannot be written.
    bool exportImage(const QString& path, QString* error, double scale = 2.0) const;
    // "all_heads_decay.png" and the like, for the save dialog.
    QString exportFileName() const;

signals:
    void headChosen(int layer, int head);

private:
    void refresh();
    void chooseExport();

    std::array<InspectResult, MaskCount> m_results;
    bool m_hasResults = false;
    QString m_context;
    QComboBox* m_mask;
    QComboBox* m_scale;
    QPushButton* m_export;
    AttentionHeadGrid* m_grid;
};

} // namespace fsllm
