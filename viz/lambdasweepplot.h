// Attention statistics as a function of the decay mask's lambda (the Inspect tab's "λ sweep"):
// x = lambda; left axis: attention entropy in nats (mean over layers, heads and query tokens, or
// one query token's mean over layers and heads); right axis: the share of attention that goes to
// future keys (j > i), same averaging. Dotted lines give the causal mask's values (the lambda ->
// infinity limit); a vertical line marks the slider's lambda. Thread-safety: GUI thread only.
#pragma once

#include "csvsource.h"

#include <qcustomplot.h>

#include <vector>

namespace fsllm {

class LambdaSweepPlot : public QCustomPlot, public CsvSource {
    Q_OBJECT

public:
    explicit LambdaSweepPlot(QWidget* parent = nullptr);

    // All vectors have lambdas.size() entries (false and unchanged otherwise); `series` names
    // what is averaged ("all tokens", "token 3 'movie'").
    bool setSweep(const std::vector<double>& lambdas, const std::vector<double>& entropy,
                  const std::vector<double>& futureShare, double causalEntropy,
                  const QString& series);
    void clearSweep();
    void setCurrentLambda(double lambda);
    void setTitle(const QString& title);
    QString title() const;

    QCPGraph* entropyGraph() const { return m_entropy; }
    QCPGraph* shareGraph() const { return m_share; }
    int pointCount() const { return m_entropy->dataCount(); }

    // "lambda,entropy,future_share": one record a lambda.
    QString toCsv() const override;

private:
    QCPGraph* m_entropy;
    QCPGraph* m_share;
    QCPItemStraightLine* m_causalEntropy;
    QCPItemStraightLine* m_current;
    QCPTextElement* m_title = nullptr;
    std::vector<double> m_lambdas, m_entropyValues, m_shareValues;
};

} // namespace fsllm
