// The comparison table of runs, like the paper's Tables 1-4: run, mask, lambda, pooling, head,
// best step and the best checkpoint's dev accuracy, precision, recall and F1, and the significance
// columns (ResultsSignificance, computed by computeSignificance() from the runs' dev predictions):
// the dev metric's mean ± std over the seeds of the run's configuration, and the paired bootstrap
// test of that configuration against the causal one with the same settings (difference of the
// means, 95% CI, p; McNemar's exact p in the CSV). Formats it as CSV (raw fractions), Markdown
// and LaTeX (booktabs; percentages, best value per column in bold).
// No torch, no widgets. Thread-safety: value type; reentrant.
#pragma once

#include "runrecord.h"
#include "runsignificance.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>

namespace fsllm {

struct ResultRow {
    QString run;
    QString directory;   // the run folder ("" for rows added without one)
    QString mask;        // "causal" | "bidirectional" | "decay"
    double lambda = 0.0; // decay lambda; 0 for bidirectional, +inf for causal
    QString pooling;     // "last" | "mean" | "max" ("-" for token tasks)
    QString head;        // "fs" | "linear"
    int bestStep = -1;   // -1: no evaluation yet
    double accuracy = std::numeric_limits<double>::quiet_NaN(); // NaN: no evaluation yet
    double precision = std::numeric_limits<double>::quiet_NaN();
    double recall = std::numeric_limits<double>::quiet_NaN();
    double f1 = std::numeric_limits<double>::quiet_NaN();
    // Significance (computeSignificance); NaN / empty until computed or when not applicable.
    RunSignificance significance;
};

class ResultsTable {
public:
    enum Column {
        Run,
        Mask,
        Lambda,
        Pooling,
        Head,
        BestStep,
        Accuracy,
        Precision,
        Recall,
        F1,
        SeedMean,   // "dev mean ± std": the configuration's dev metric over its seeds
        Difference, // "Δ vs causal": mean minus the causal configuration's mean ("baseline")
        Interval,   // "95% CI" of the difference (paired bootstrap over dev examples)
        PValue,     // "p": the bootstrap's two-sided p-value
        ColumnCount
    };

    static ResultRow rowFor(const RunRecord& run);

    void addRun(const RunRecord& run);
    void addRow(const ResultRow& row); // no run folder: no significance
    void clear();                      // the rows (computed tests are kept for reuse)
    // Fills every row's significance from the run folders' dev predictions. The tests of the
    // same runs and unchanged predictions files are reused, not recomputed.
    void computeSignificance(const SignificanceOptions& options = {});
    int rowCount() const { return int(m_rows.size()); }
    const QVector<ResultRow>& rows() const { return m_rows; }

    static QStringList headers();
    // Display text: scores as percentages with two decimals ("91.25"), "-" when missing.
    QString cell(int row, int column) const;

    QString toCsv() const;      // header + one line per run; scores as fractions
    QString toMarkdown() const; // a GitHub-flavoured pipe table
    QString toLatex() const;    // a booktabs tabular environment

    // Writes by the suffix of `path`: .csv, .md/.markdown, .tex. Atomic. False + `error` on
    // failure or an unknown suffix.
    bool save(const QString& path, QString* error = nullptr) const;

private:
    double score(int row, int column) const;
    int bestRow(int column) const; // -1 when no row has the score

    QVector<ResultRow> m_rows;
    std::vector<RunToCompare> m_sources; // per row; directory "" for addRow()'s rows
    std::string m_computedKey;           // the runs and predictions m_computed belongs to
    std::vector<RunSignificance> m_computed;
};

} // namespace fsllm
