#include "plotexporter.h"

#include "csvsource.h"

#include <qcustomplot.h>

#include <QDir>
#include <QFileInfo>
#include <QImageWriter>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <cmath>

namespace fsllm {

namespace {

const QString kCreator = QStringLiteral("FS-LLM Studio");

// Plottables whose data is a list of (key, value) pairs: graphs, curves and bars.
template <typename Container>
void appendSeries(QString* csv, const QString& name, const Container& data) {
    const QString field = CsvSource::csvField(name);
    for (auto it = data.constBegin(); it != data.constEnd(); ++it)
        *csv += field + QLatin1Char(',') + CsvSource::csvNumber(it->mainKey()) + QLatin1Char(',') +
                CsvSource::csvNumber(it->mainValue()) + QLatin1Char('\n');
}

QString plottableName(const QCPAbstractPlottable* plottable, int index) {
    return plottable->name().isEmpty() ? QStringLiteral("plottable%1").arg(index)
                                       : plottable->name();
}

// Shows a legend that is hidden on screen (small overlay plots) for the time of one export, so
// every exported figure says which curve is which; restores the screen state afterwards.
class ExportLegend {
public:
    explicit ExportLegend(QCustomPlot* plot) : m_plot(plot) {
        QCPLegend* legend = plot->legend;
        if (legend && !legend->visible() && legend->itemCount() > 0) {
            legend->setVisible(true);
            m_shown = true;
        }
    }
    ~ExportLegend() {
        if (m_shown)
            m_plot->legend->setVisible(false);
    }
    ExportLegend(const ExportLegend&) = delete;
    ExportLegend& operator=(const ExportLegend&) = delete;

private:
    QCustomPlot* m_plot;
    bool m_shown = false;
};

} // namespace

PlotExporter::PlotExporter(QCustomPlot* plot) : m_plot(plot) {}

bool PlotExporter::savePng(const QString& path, int width, int height, double scale, int dpi) {
    if (!resolveSize(path, &width, &height))
        return false;
    if (!std::isfinite(scale) || scale <= 0.0)
        return fail(path, QStringLiteral("the scale must be a positive number"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(path, file.errorString());
    QImage image;
    {
        const ExportLegend legend(m_plot);
        image = m_plot->toPixmap(width, height, scale).toImage();
    }
    if (image.isNull()) {
        file.cancelWriting();
        return fail(path, QStringLiteral("the plot could not be rendered at %1x%2 (scale %3)")
                              .arg(width)
                              .arg(height)
                              .arg(scale));
    }
    const double dotsPerInch = dpi > 0 ? double(dpi) : kScreenDpi * scale;
    const int dotsPerMeter = int(std::lround(dotsPerInch / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    QImageWriter writer(&file, "png");
    if (!writer.write(image)) {
        file.cancelWriting();
        return fail(path, writer.errorString());
    }
    if (!file.commit())
        return fail(path, file.errorString());
    return true;
}

bool PlotExporter::savePdf(const QString& path, int width, int height) {
    if (!resolveSize(path, &width, &height))
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(path, file.errorString());
    {
        QPdfWriter writer(&file);
        writer.setCreator(kCreator);
        writer.setTitle(QFileInfo(path).completeBaseName());
        // Text sizes in points map to the same layout as on screen when the device has the
        // widget's DPI; the page is width x height points, filled edge to edge.
        writer.setResolution(m_plot->logicalDpiX());
        const QPageSize pageSize(QSizeF(width, height), QPageSize::Point, QString(),
                                 QPageSize::ExactMatch);
        QPageLayout layout(pageSize, QPageLayout::Portrait, QMarginsF(0, 0, 0, 0));
        layout.setMode(QPageLayout::FullPageMode);
        if (!writer.setPageLayout(layout)) {
            file.cancelWriting();
            return fail(path, QStringLiteral("invalid page size %1x%2").arg(width).arg(height));
        }
        QCPPainter painter;
        if (!painter.begin(&writer)) {
            file.cancelWriting();
            return fail(path, QStringLiteral("the PDF writer could not start"));
        }
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        painter.setWindow(0, 0, width, height);
        const ExportLegend legend(m_plot);
        m_plot->toPainter(&painter, width, height);
        painter.end();
    }
    if (!file.commit())
        return fail(path, file.errorString());
    return true;
}

bool PlotExporter::saveSvg(const QString& path, int width, int height) {
    if (!resolveSize(path, &width, &height))
        return false;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(path, file.errorString());
    {
        // QCustomPlot 2.1 has no SVG export: paint it into a QSvgGenerator through QCPPainter.
        QSvgGenerator generator;
        generator.setOutputDevice(&file);
        generator.setSize(QSize(width, height));
        generator.setViewBox(QRect(0, 0, width, height));
        generator.setResolution(m_plot->logicalDpiX());
        generator.setTitle(QFileInfo(path).completeBaseName());
        generator.setDescription(kCreator);
        QCPPainter painter;
        if (!painter.begin(&generator)) {
            file.cancelWriting();
            return fail(path, QStringLiteral("the SVG generator could not start"));
        }
        painter.setMode(QCPPainter::pmVectorized);
        painter.setMode(QCPPainter::pmNoCaching);
        const ExportLegend legend(m_plot);
        m_plot->toPainter(&painter, width, height);
        painter.end();
    }
    if (!file.commit())
        return fail(path, file.errorString());
    return true;
}

bool PlotExporter::saveCsv(const QString& path) {
    m_error.clear();
    if (!m_plot)
        return fail(path, QStringLiteral("there is no plot to export"));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(path, file.errorString());
    const QByteArray bytes = csvText(m_plot).toUtf8();
    if (file.write(bytes) != bytes.size()) {
        const QString reason = file.errorString();
        file.cancelWriting();
        return fail(path, reason);
    }
    if (!file.commit())
        return fail(path, file.errorString());
    return true;
}

bool PlotExporter::save(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return savePng(path);
    if (suffix == QLatin1String("pdf"))
        return savePdf(path);
    if (suffix == QLatin1String("svg"))
        return saveSvg(path);
    if (suffix == QLatin1String("csv"))
        return saveCsv(path);
    return fail(path,
                QStringLiteral("unknown format '%1' (use .png, .pdf, .svg or .csv)").arg(suffix));
}

QString PlotExporter::csvText(const QCustomPlot* plot) {
    if (!plot)
        return QString();
    if (const auto* source = dynamic_cast<const CsvSource*>(plot))
        return source->toCsv();
    // QCustomPlot 2.1's plottable() and QCPColorMapData::cell() are not const; nothing is changed.
    auto* mutablePlot = const_cast<QCustomPlot*>(plot);
    QString series;
    QStringList maps;
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* plottable = mutablePlot->plottable(i);
        if (!plottable->visible())
            continue;
        const QString name = plottableName(plottable, i);
        if (const auto* graph = qobject_cast<QCPGraph*>(plottable)) {
            appendSeries(&series, name, *graph->data());
        } else if (const auto* curve = qobject_cast<QCPCurve*>(plottable)) {
            appendSeries(&series, name, *curve->data());
        } else if (const auto* bars = qobject_cast<QCPBars*>(plottable)) {
            appendSeries(&series, name, *bars->data());
        } else if (const auto* map = qobject_cast<QCPColorMap*>(plottable)) {
            QCPColorMapData* data = map->data();
            QString table = QStringLiteral("row,col,value\n");
            for (int row = 0; row < data->valueSize(); ++row)
                for (int col = 0; col < data->keySize(); ++col)
                    table += QString::number(row) + QLatin1Char(',') + QString::number(col) +
                             QLatin1Char(',') + CsvSource::csvNumber(data->cell(col, row)) +
                             QLatin1Char('\n');
            maps.append(table);
        }
    }
    QStringList sections;
    if (!series.isEmpty() || maps.isEmpty())
        sections.append(QStringLiteral("series,x,y\n") + series);
    sections += maps;
    return sections.join(QLatin1Char('\n'));
}

bool PlotExporter::fail(const QString& path, const QString& reason) {
    m_error = QStringLiteral("Cannot write '%1': %2").arg(QDir::toNativeSeparators(path), reason);
    return false;
}

bool PlotExporter::resolveSize(const QString& path, int* width, int* height) {
    m_error.clear();
    if (!m_plot)
        return fail(path, QStringLiteral("there is no plot to export"));
    if (*width <= 0)
        *width = m_plot->width();
    if (*height <= 0)
        *height = m_plot->height();
    if (*width <= 0 || *height <= 0)
        return fail(path, QStringLiteral("the size %1x%2 is empty").arg(*width).arg(*height));
    return true;
}

} // namespace fsllm
