// The classifier's prediction for one sentence (or one token): class labels and probabilities as
// horizontal bars, first class on top, each bar annotated with its value and the argmax drawn in
// the highlight colour. Thread-safety: GUI thread only (a QWidget).
#pragma once

#include "csvsource.h"

#include <qcustomplot.h>

#include <QStringList>

#include <vector>

namespace fsllm {

class ProbabilityBars : public QCustomPlot, public CsvSource {
    Q_OBJECT

public:
    explicit ProbabilityBars(QWidget* parent = nullptr);
    ~ProbabilityBars() override;

    // One bar per label. Returns false and leaves the bars as they were when the sizes differ or
    // a probability is not finite. Probabilities are drawn as given (bars clipped to [0, 1]).
    bool setProbabilities(const QStringList& labels, const std::vector<float>& probabilities);
    void clearBars();
    void setTitle(const QString& title); // empty: no title row

    static QColor barColor();
    static QColor highlightColor();

    int barCount() const { return int(m_probabilities.size()); }
    int argmax() const { return m_argmax; } // -1 when empty; the first of equal maxima
    float probability(int index) const;     // NaN outside
    QStringList labels() const { return m_labels; }
    QCPBars* bars() const { return m_bars; }               // every class but the argmax
    QCPBars* highlightBars() const { return m_highlight; } // the argmax only

    QString toCsv() const override; // "label,probability,argmax"

private:
    QStringList m_labels;
    std::vector<float> m_probabilities;
    int m_argmax = -1;
    QCPBars* m_bars = nullptr;
    QCPBars* m_highlight = nullptr;
    QCPTextElement* m_title = nullptr;
    QList<QCPItemText*> m_valueLabels;
};

} // namespace fsllm
