// A confusion matrix as a heatmap: gold labels down the rows (first on top), predicted labels
// across the columns, each cell coloured by its share of the row (so the diagonal reads as
// recall) and annotated with its count while the cells are large enough to hold it; a colour
// scale at the right; the title names the run and the file (shown in every export). CSV export:
// "gold,predicted,count,row_share", one line per cell.
// Thread-safety: GUI thread only (a QWidget).
#pragma once

#include "csvsource.h"

#include <qcustomplot.h>

#include <QStringList>
#include <QVector>

namespace fsllm {

class ConfusionMatrixPlot : public QCustomPlot, public CsvSource {
    Q_OBJECT

public:
    static constexpr int kMinCellPixelsForCounts = 18;

    explicit ConfusionMatrixPlot(QWidget* parent = nullptr);

    // counts[gold][predicted], labels.size() x labels.size(); false (nothing changed) otherwise.
    bool setMatrix(const QStringList& labels, const QVector<QVector<int>>& counts);
    void clearMatrix();
    void setTitle(const QString& title); // empty: no title row
    QString title() const;

    QStringList labels() const { return m_labels; }
    int count(int gold, int predicted) const;    // -1 outside
    double rowShare(int gold, int predicted) const; // count / row total; 0 for an empty row
    bool countsShown() const { return m_countsShown; }

    QString toCsv() const override;

private:
    void placeCountLabels();

    QStringList m_labels;
    QVector<QVector<int>> m_counts;
    QCPColorMap* m_map;
    QCPColorScale* m_scale;
    QCPTextElement* m_title = nullptr;
    QList<QCPItemText*> m_countLabels;
    bool m_countsShown = false;
};

} // namespace fsllm
