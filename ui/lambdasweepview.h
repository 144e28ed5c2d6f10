// The Inspect tab's "λ sweep" page: per-token attention entropy and the share of attention to
// future keys as functions of the decay mask's lambda (LambdaSweepPlot), for the mean over the
// sentence's tokens or one chosen token (a combo box). The data come from the inspect worker
// (InspectWorker::swept), never computed here. Thread-safety: GUI thread only.
#pragma once

#include "attentionstatistics.h"
#include "exportdialog.h"

#include <QWidget>

class QComboBox;

namespace fsllm {

class LambdaSweepPlot;

class LambdaSweepView : public QWidget {
    Q_OBJECT

public:
    explicit LambdaSweepView(QWidget* parent = nullptr);

    void setSweep(const LambdaSweep& sweep);
    void clear();
    void setCurrentLambda(double lambda);
    void setContext(const QString& context); // model and adapter, in the title
    void setToken(int token); // -1: the mean over tokens
    int token() const;
    bool hasSweep() const { return !m_sweep.lambdas.empty(); }
    const LambdaSweep& sweep() const { return m_sweep; }

    LambdaSweepPlot* plot() const { return m_plot; }
    QList<NamedPlot> plots() const;

private:
    void refresh();

    LambdaSweep m_sweep;
    QString m_context;
    QComboBox* m_token;
    LambdaSweepPlot* m_plot;
};

} // namespace fsllm
