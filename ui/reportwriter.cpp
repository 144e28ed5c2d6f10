#include "reportwriter.h"

#include "livecurveplot.h"
#include "plotexporter.h"
#include "resultstable.h"
#include "runcurves.h"

#include <QDir>
#include <QFileInfo>

#include <exception>
#include <memory>

namespace fsllm {

namespace {

struct Figure {
    QString baseName;
    std::unique_ptr<LiveCurvePlot> plot;
};

} // namespace

ReportWriter::ReportWriter(ReportOptions options) : m_options(std::move(options)) {}

bool ReportWriter::fail(const QString& message) {
    m_error = message;
    return false;
}

QStringList ReportWriter::expandRunFolders(const QString& directory) {
    const QDir dir(directory);
    if (dir.exists(QStringLiteral("run.json")))
        return {dir.absolutePath()};
    QStringList runs;
    const QStringList children =
        dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::IgnoreCase);
    for (const QString& child : children)
        if (QFileInfo::exists(dir.filePath(child + QStringLiteral("/run.json"))))
            runs << dir.absoluteFilePath(child);
    return runs;
}

bool ReportWriter::loadRuns(const QStringList& directories) {
    m_runs.clear();
    for (const QString& directory : directories) {
        if (!QFileInfo(directory).isDir())
            return fail(QObject::tr("%1: not a folder").arg(directory));
        const QStringList runs = expandRunFolders(directory);
        if (runs.isEmpty())
            return fail(QObject::tr("%1: no run.json here or in its subfolders; pass run "
                                    "folders written by fsllm train or the studio")
                            .arg(directory));
        for (const QString& run : runs) {
            try {
                m_runs.push_back(RunRecord::load(run.toStdString()));
            } catch (const std::exception& e) {
                return fail(QString::fromUtf8(e.what()));
            }
        }
    }
    if (m_runs.empty())
        return fail(QObject::tr("no run folders given"));
    return true;
}

bool ReportWriter::write(const QString& outDir) {
    m_written.clear();
    if (m_runs.empty())
        return fail(QObject::tr("no runs to report"));
    if (!QDir().mkpath(outDir))
        return fail(QObject::tr("%1: cannot create the folder").arg(outDir));
    const QDir out(outDir);

    Figure figures[] = {{QStringLiteral("train_loss"), std::make_unique<LiveCurvePlot>()},
                        {QStringLiteral("eval_loss"), std::make_unique<LiveCurvePlot>()},
                        {QStringLiteral("scores"), std::make_unique<LiveCurvePlot>()}};
    const CurvePlots plots{figures[0].plot.get(), figures[1].plot.get(), figures[2].plot.get(),
                           nullptr};
    RunCurves::setUpPlots(plots);
    plots.evalLoss->setSmoothing(0.0); // sparse evaluation points: draw them as they are
    plots.scores->setSmoothing(0.0);
    ResultsTable table;
    int index = 0;
    for (const RunRecord& run : m_runs) {
        RunCurves::addRun(plots, run, QString::fromStdString(run.name()),
                          RunCurves::runColor(index++));
        table.addRun(run);
    }

    for (Figure& figure : figures) {
        figure.plot->resize(m_options.width, m_options.height);
        figure.plot->rescaleToData();
        figure.plot->refreshNow();
        PlotExporter exporter(figure.plot.get());
        const QString base = out.filePath(figure.baseName);
        const bool ok =
            exporter.savePng(base + QStringLiteral(".png"), m_options.width, m_options.height,
                             m_options.pngScale) &&
            exporter.savePdf(base + QStringLiteral(".pdf"), m_options.width, m_options.height) &&
            exporter.saveSvg(base + QStringLiteral(".svg"), m_options.width, m_options.height) &&
            exporter.saveCsv(base + QStringLiteral(".csv"));
        if (!ok)
            return fail(exporter.errorString());
        for (const char* suffix : {".png", ".pdf", ".svg", ".csv"})
            m_written << base + QLatin1String(suffix);
    }

    table.computeSignificance(); // mean ± std over seeds, tests against the causal runs
    for (const char* suffix : {".csv", ".md", ".tex"}) {
        const QString path = out.filePath(m_options.tableBaseName + QLatin1String(suffix));
        QString error;
        if (!table.save(path, &error))
            return fail(error);
        m_written << path;
    }
    return true;
}

bool ReportWriter::run(const QStringList& directories, const QString& outDir) {
    return loadRuns(directories) && write(outDir);
}

} // namespace fsllm
