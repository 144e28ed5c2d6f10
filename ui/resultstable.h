// The comparison table of runs, like the paper's Tables 1-4: run, mask, lambda, pooling, head,
// best step and the best checkpoint's dev accuracy, precision, recall and F1. Formats it as CSV
// (raw fractions), Markdown and LaTeX (booktabs; percentages, best value per column in bold).
// No torch, no widgets. Thread-safety: value type; reentrant.
#pragma once

#include "runrecord.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>

namespace fsllm {

struct ResultRow {
    QString run;
    QString mask;        // "causal" | "bidirectional" | "decay"
    double lambda = 0.0; // decay lambda; 0 for bidirectional, +inf for causal
    QString pooling;     // "last" | "mean" | "max" ("-" for token tasks)
    QString head;        // "fs" | "linear"
    int bestStep = -1;   // -1: no evaluation yet
    double accuracy = std::numeric_limits<double>::quiet_NaN(); // NaN: no evaluation yet
    double precision = std::numeric_limits<double>::quiet_NaN();
    double recall = std::numeric_limits<double>::quiet_NaN();
    double f1 = std::numeric_limits<double>::quiet_NaN();
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
        ColumnCount
    };

    static ResultRow rowFor(const RunRecord& run);

    void addRun(const RunRecord& run) { m_rows.append(rowFor(run)); }
    void addRow(const ResultRow& row) { m_rows.append(row); }
    void clear() { m_rows.clear(); }
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
};

} // namespace fsllm
