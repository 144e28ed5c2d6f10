// The headless comparison report (`fsllm-studio --report RUN_DIR... --out DIR`): loads run
// folders, overlays their train loss, eval loss and accuracy/F1 curves in one figure each
// (train_loss, eval_loss, scores as .png, .pdf, .svg plus the plotted data as .csv), and writes
// the results table as results.csv, results.md and results.tex. A folder without run.json whose
// subfolders are runs stands for those runs. Needs a QApplication (plots are widgets; the
// offscreen platform is enough). Thread-safety: GUI thread only.
#pragma once

#include "runrecord.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace fsllm {

struct ReportOptions {
    int width = 720; // figure size in points / logical pixels
    int height = 440;
    double pngScale = 2.0; // PNG pixels per logical pixel
    QString tableBaseName = QStringLiteral("results");
};

class ReportWriter {
public:
    explicit ReportWriter(ReportOptions options = {});

    // Expands folders of runs and loads every run; false + errorString() naming the folder when
    // one cannot be read or none is given.
    bool loadRuns(const QStringList& directories);
    void setRuns(std::vector<RunRecord> runs) { m_runs = std::move(runs); }
    const std::vector<RunRecord>& runs() const { return m_runs; }

    // Writes every figure and table into `outDir` (created when missing).
    bool write(const QString& outDir);
    // loadRuns() then write().
    bool run(const QStringList& directories, const QString& outDir);

    QStringList writtenFiles() const { return m_written; }
    QString errorString() const { return m_error; }

    // Run folders under `directory`: itself when it holds run.json, else its subfolders that do
    // (sorted by name).
    static QStringList expandRunFolders(const QString& directory);

private:
    bool fail(const QString& message);

    ReportOptions m_options;
    std::vector<RunRecord> m_runs;
    QStringList m_written;
    QString m_error;
};

} // namespace fsllm
