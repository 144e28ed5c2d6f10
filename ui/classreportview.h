// The Runs tab's per-class view of the selected run: which predictions (dev, or a file evaluated
// with `fsllm eval` or the Runs tab's "Evaluate file…"), a table of per-class scores (per entity type for chunk-tagged token tasks)
// with support, a summary line, and the confusion matrix as a heatmap (ConfusionMatrixPlot,
// exported like every plot). PredictionReport reads and counts off the GUI thread. The scores
// table exports as CSV or Markdown, its header naming the run and the file.
// Thread-safety: GUI thread only.
#pragma once

#include "predictionreport.h"

#include <QWidget>

#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QTableWidget;

namespace fsllm {

class ConfusionMatrixPlot;

class ClassReportView : public QWidget {
    Q_OBJECT

public:
    explicit ClassReportView(QWidget* parent = nullptr);

    // Shows the predictions of `runDir` (dev first); "" clears. `devFile` names dev's data file.
    // `showDataFile`: show the evaluation of this data file (matched by file name, as
    // RUN/evaluations/ names them) instead of dev when the run has one.
    void setRun(const QString& runDir, const QString& devFile = QString(),
                const QString& showDataFile = QString());
    QString runDir() const { return m_runDir; }
    QStringList sourceNames() const;
    void setSource(int index); // an index of sourceNames()
    int currentSource() const;
    bool isLoading() const { return m_pending > 0; }

    const PredictionReport* report() const { return m_report ? &*m_report : nullptr; }
    QString caption() const; // "<run> on <source> (<file>)"; "" when nothing is shown
    QString message() const; // what is shown instead of a report, or an error
    QTableWidget* scoresTable() const { return m_table; }
    ConfusionMatrixPlot* matrixPlot() const { return m_plot; }

    // The scores table with a caption line: ".md" Markdown, else CSV. Atomic (QSaveFile).
    bool exportScores(const QString& path, QString* error) const;
    QString scoresCsv() const;
    QString scoresMarkdown() const;

signals:
    void loaded(); // a report, a message or an error is shown

private:
    void loadSource(int index);
    void showReport(const PredictionReport& report);
    void showMessage(const QString& text, bool isError);
    void chooseExport();

    QComboBox* m_source;
    QLabel* m_summary;
    QTableWidget* m_table;
    ConfusionMatrixPlot* m_plot;
    QString m_runDir;
    std::vector<PredictionSource> m_sources;
    std::vector<std::string> m_labels; // the run's labels (classifier.json)
    std::optional<PredictionReport> m_report;
    QString m_message;
    QString m_wantedSource; // the predictions a pending setRun() will show ("" = dev)
    int m_generation = 0; // drops results of an earlier setRun()/setSource()
    int m_pending = 0;
};

} // namespace fsllm
