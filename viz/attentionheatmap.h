// A T x T attention map for sentence inspection: row i = query token i, column j = key token j,
// drawn with a QCPColorMap under token labels on both axes, a colour scale and a title (e.g.
// "layer 3 head 1, decay λ=0.5"). Shows probabilities in [0, 1] or, for the "mask M" view, the
// additive mask (0, -λ·d, -inf), a signed difference of two maps (diverging colours, white at 0)
// or rescaled attention (per row, log10; see attentionscale.h); -inf cells get their own colour (maskedColor()) and are kept out
// of the colour map's data. Hovering a cell shows "query 3 'the' -> key 5 'movie': 0.123".
// Long inputs stay readable: only every k-th token is labelled, k chosen from the visible cell
// size so labels never overlap; the wheel zooms, dragging pans, a double click shows all.
// Thread-safety: GUI thread only (a QWidget).
#pragma once

#include "csvsource.h"

#include <qcustomplot.h>

#include <QStringList>

#include <vector>

namespace fsllm {

enum class HeatmapKind {
    Probabilities, // attention weights in [0, 1]; colour range fixed to [0, 1] by default
    AdditiveMask,  // the mask M itself; colour range [min finite M, 0] by default
    Difference,    // a signed difference of two maps; diverging colours centred at 0, range
                   // [-m, m] with m = max |value| by default
    RowScaled,     // attention divided by its row's maximum (AttentionScale::PerRow), in [0, 1]
    LogScaled,     // log10 of attention (AttentionScale::Log), in [log10 kLogFloor, 0]
};

class AttentionHeatmap : public QCustomPlot, public CsvSource {
    Q_OBJECT

public:
    static constexpr int kMaxLabelledTokens = 48; // before layout: at most this many labels
    static constexpr int kMaxLabelChars = 14;     // longer token labels are elided
    static constexpr double kLabelSpacing = 1.15; // label pitch in label heights, at least

    // The label stride for `cells` visible cells over `pixels` (<= 0: not laid out yet) with
    // labels `labelPixels` high.
    static int strideFor(int cells, double pixels, int labelPixels);

    explicit AttentionHeatmap(QWidget* parent = nullptr);
    ~AttentionHeatmap() override;

    // `values` is row-major [T][T] with T = tokens.size(). Returns false and leaves the map as it
    // was when T is 0 or values.size() != T*T.
    bool setMatrix(const std::vector<float>& values, const QStringList& tokens,
                   HeatmapKind kind = HeatmapKind::Probabilities);
    // Reads T*T floats from `values` (e.g. one head's slab of InspectResult::attention).
    bool setMatrix(const float* values, const QStringList& tokens,
                   HeatmapKind kind = HeatmapKind::Probabilities);
    void clearMatrix();
    void resetZoom(); // all of the matrix
    bool isZoomed() const;
    int labelStride() const { return m_labelStride; } // every k-th token is labelled

    void setTitle(const QString& title); // empty: no title row
    QString title() const;
    // Overrides the default colour range (e.g. to share one scale across side-by-side maps).
    void setColorRange(const QCPRange& range);
    void resetColorRange();
    void setGradient(const QCPColorGradient& gradient); // until the next setMatrix (it picks
                                                        // the kind's gradient)
    static QColor maskedColor();               // the colour of -inf (and other non-finite) cells
    static QCPColorGradient defaultGradient(); // viridis
    static QCPColorGradient divergingGradient(); // blue - white (0) - red, for Difference

    int tokenCount() const { return m_tokenCount; }
    int cellCount() const { return m_tokenCount * m_tokenCount; }
    float value(int row, int col) const; // as given (-inf kept); NaN outside the matrix
    HeatmapKind kind() const { return m_kind; }
    QStringList tokens() const { return m_tokens; }
    QCPColorMap* colorMap() const { return m_map; }
    QCPColorScale* colorScale() const { return m_scale; }

    // The cell under `pixel` (widget coordinates) of a laid-out plot; false outside the matrix.
    bool cellAt(const QPointF& pixel, int* row, int* col) const;
    QString readout(int row, int col) const; // "query 3 'the' -> key 5 'movie': 0.123"
    QString hoverText() const { return m_hoverText; }

    // "row,col,query,key,value": T*T records, row-major, "-inf" for masked cells.
    QString toCsv() const override;

protected:
    void leaveEvent(QEvent* event) override;

private:
    void applyColorRange();
    void applyTickLabels();
    void onRangeChanged(QCPAxis* axis);
    void onMouseMove(QMouseEvent* event);
    void hideHover();
    QString tokenLabel(int index) const;

    std::vector<float> m_values; // [T][T] as given
    QStringList m_tokens;
    int m_tokenCount = 0;
    HeatmapKind m_kind = HeatmapKind::Probabilities;
    bool m_customRange = false;
    QCPRange m_customRangeValue;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPTextElement* m_title = nullptr;
    QCPItemRect* m_hoverRect = nullptr;
    QString m_hoverText;
    int m_labelStride = 0;
    int m_labelledTokens = -1; // m_tokenCount the ticks were made for
    bool m_inRangeChange = false;
};

} // namespace fsllm
