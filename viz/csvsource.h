// Implemented by plots whose CSV export cannot be read off their QCustomPlot plottables (e.g. a
// heatmap with -inf mask cells, which its colour map does not hold, or bars with class labels);
// PlotExporter::saveCsv prefers it over the generic graph/colour-map dump.
// Thread-safety: GUI thread only, like the plots that implement it.
#pragma once

#include <QString>

#include <charconv>

namespace fsllm {

class CsvSource {
public:
    virtual ~CsvSource() = default;

    // The whole table as CSV text: a header line, then one line per record, '\n' line ends.
    virtual QString toCsv() const = 0;

    // RFC 4180 quoting for one field (quotes only when the field needs them).
    static QString csvField(const QString& text) {
        if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
            !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
            return text;
        QString quoted = text;
        quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
        return QLatin1Char('"') + quoted + QLatin1Char('"');
    }

    // Shortest text that reads back to the same number ("0.1" for 0.1f, not 0.100000001);
    // "inf", "-inf" and "nan" for non-finite values.
    static QString csvNumber(double value) { return shortest(value); }
    static QString csvNumber(float value) { return shortest(value); }

private:
    template <typename T> static QString shortest(T value) {
        char buffer[64];
        const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
        return QString::fromLatin1(buffer, int(result.ptr - buffer));
    }
};

} // namespace fsllm
