// The bold title row above a QCustomPlot's layout, shared by the viz widgets.
// Thread-safety: GUI thread only.
#pragma once

#include <QString>

class QCPTextElement;
class QCustomPlot;

namespace fsllm {

class PlotTitle {
public:
    static constexpr double kFontScale = 1.2; // relative to the plot's font

    // Shows `text` in a title row on top of `plot`'s layout, reusing `current` (the element a
    // previous call returned) or inserting the row; empty text removes the row. Returns the
    // element to pass next time (nullptr once removed). Does not replot.
    static QCPTextElement* set(QCustomPlot* plot, QCPTextElement* current, const QString& text);
};

} // namespace fsllm
