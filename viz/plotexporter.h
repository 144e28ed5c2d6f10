// Saves any QCustomPlot as a figure for reports (PNG, PDF, SVG) and its plotted data as CSV.
// Every file is written atomically (QSaveFile: a failed export never leaves a half-written file
// behind); failures return false and errorString() names the path and the reason. A legend
// hidden on screen (the Runs tab's small overlay plots) is shown in every exported figure when
// the plot has legend entries.
// Thread-safety: GUI thread only (it paints the plot widget).
#pragma once

#include <QString>

class QCustomPlot;

namespace fsllm {

class PlotExporter {
public:
    static constexpr int kScreenDpi = 96;

    explicit PlotExporter(QCustomPlot* plot);

    // The plot laid out at width x height (<= 0: its current size), rendered at `scale` times
    // that many pixels (the PNG is width*scale x height*scale); `dpi` is stored in the file
    // (<= 0: kScreenDpi * scale, so the printed size does not depend on the scale).
    bool savePng(const QString& path, int width = 0, int height = 0, double scale = 1.0,
                 int dpi = 0);
    // Vector output: one page of width x height points, text kept as text.
    bool savePdf(const QString& path, int width = 0, int height = 0);
    bool saveSvg(const QString& path, int width = 0, int height = 0);
    // The plot's CsvSource table if it has one, else every visible graph ("series,x,y") and
    // colour map ("row,col,value"; row = value index, col = key index), blank-line separated.
    bool saveCsv(const QString& path);
    // By the suffix of `path` (png, pdf, svg, csv; case-insensitive) with the default sizes.
    bool save(const QString& path);

    static QString csvText(const QCustomPlot* plot);
    QString errorString() const { return m_error; }

private:
    bool fail(const QString& path, const QString& reason);
    bool resolveSize(const QString& path, int* width, int* height);

    QCustomPlot* m_plot;
    QString m_error;
};

} // namespace fsllm
