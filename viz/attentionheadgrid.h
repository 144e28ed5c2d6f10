// All heads at once: a layers x heads grid of small attention maps of one sentence under one mask
// (row = layer, column = head; inside a cell, row i = query token i, column j = key token j, as in
// AttentionHeatmap). Colours as AttentionScale says, one colour range for the whole grid (a
// colour bar on the right gives it). Clicking a cell emits headClicked(layer, head) (the Inspect
// tab then opens that head in the big maps); hovering names the cell. Painted with QPainter from
// one small image per head, so a 32 x 32 grid of long sentences stays fast.
// Thread-safety: GUI thread only (a QWidget).
#pragma once

#include "attentionscale.h"

#include <QImage>
#include <QWidget>

#include <vector>


namespace fsllm {

class AttentionHeadGrid : public QWidget {
    Q_OBJECT

public:
    static constexpr int kMinCell = 28;     // pixels: the grid scrolls rather than shrink below
    static constexpr int kGap = 4;          // between cells
    static constexpr int kLabelMargin = 34; // room for "L12" left and "H31" on top
    static constexpr int kBarWidth = 70;    // the colour bar and its numbers on the right

    explicit AttentionHeadGrid(QWidget* parent = nullptr);

    // `attention` is row-major [layers][heads][T][T] (InspectResult::attention). Returns false
    // and clears the grid when the sizes do not match or any of them is 0.
    bool setAttention(const std::vector<float>& attention, int layers, int heads, int tokenCount,
                      AttentionScale scale);
    void clear();
    void setCaption(const QString& caption); // e.g. "decay (λ = 0.5) · model x" above the grid
    void setSelected(int layer, int head);  // outlined; (-1, -1): none

    int layers() const { return m_layers; }
    int heads() const { return m_heads; }
    int tokenCount() const { return m_tokenCount; }
    AttentionScale scale() const { return m_scale; }
    double rangeLow() const { return m_low; }   // the colour range in scaled units
    double rangeHigh() const { return m_high; }
    // The cell's scaled value (NaN outside), and the image colour drawn for it.
    float scaledValue(int layer, int head, int row, int col) const;
    QRgb pixel(int layer, int head, int row, int col) const;

    // The grid for a figure: `title` (bold, one line per '\n') above the grid drawn as on
    // screen (same cell size, selection, colour bar) on white, `scale` device pixels per
    // pixel. The on-screen caption is left out: the title says what the grid shows.
    QImage toImage(const QString& title, double scale = 2.0) const;

    QRect cellRect(int layer, int head) const; // in widget coordinates, for the current size
    bool cellAt(const QPoint& pixel, int* layer, int* head) const;

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

signals:
    void headClicked(int layer, int head);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    bool event(QEvent* event) override; // tooltips

private:
    int cellSize() const;
    int captionHeight() const;
    // Cell (layer, head) with the grid's labels starting `top` pixels down, cells `cell` wide.
    QRect cellRectAt(int top, int cell, int layer, int head) const;
    // Head labels, layer labels, cells, selection and the colour bar below `top`, in an area
    // `width` x `height`.
    void paintGrid(QPainter& painter, int top, int cell, int width, int height,
                   const QColor& text) const;

    std::vector<float> m_scaled; // [layers][heads][T][T] after the scale
    std::vector<QImage> m_images; // [layers * heads], T x T each
    int m_layers = 0, m_heads = 0, m_tokenCount = 0;
    AttentionScale m_scale = AttentionScale::Global;
    double m_low = 0.0, m_high = 1.0;
    int m_selectedLayer = -1, m_selectedHead = -1;
    QString m_caption;
};

} // namespace fsllm
