#include "lambdasweepplot.h"

#include "plottitle.h"

#include <algorithm>

namespace fsllm {

LambdaSweepPlot::LambdaSweepPlot(QWidget* parent) : QCustomPlot(parent) {
    xAxis->setLabel(tr("decay λ"));
    yAxis->setLabel(tr("attention entropy (nats)"));
    yAxis2->setVisible(true);
    yAxis2->setLabel(tr("share of attention to future keys"));
    yAxis2->setRange(0.0, 1.0);
    m_entropy = addGraph(xAxis, yAxis);
    m_entropy->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 2.0));
    m_entropy->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    m_entropy->setName(tr("entropy"));
    m_share = addGraph(xAxis, yAxis2);
    m_share->setPen(QPen(QColor(0xd6, 0x27, 0x28), 2.0, Qt::DashLine));
    m_share->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, 5));
    m_share->setName(tr("future share (right axis)"));
    m_causalEntropy = new QCPItemStraightLine(this);
    m_causalEntropy->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 1.0, Qt::DotLine));
    m_causalEntropy->setVisible(false);
    m_current = new QCPItemStraightLine(this);
    m_current->setPen(QPen(Qt::gray, 1.0, Qt::DashDotLine));
    m_current->setVisible(false);
    legend->setVisible(true);
    legend->setFont(font());
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    clearSweep();
}

bool LambdaSweepPlot::setSweep(const std::vector<double>& lambdas,
                               const std::vector<double>& entropy,
                               const std::vector<double>& futureShare, double causalEntropy,
                               const QString& series) {
    if (lambdas.empty() || entropy.size() != lambdas.size() ||
        futureShare.size() != lambdas.size())
        return false;
    m_lambdas = lambdas;
    m_entropyValues = entropy;
    m_shareValues = futureShare;
    const QVector<double> x(lambdas.begin(), lambdas.end());
    m_entropy->setData(x, QVector<double>(entropy.begin(), entropy.end()), true);
    m_share->setData(x, QVector<double>(futureShare.begin(), futureShare.end()), true);
    m_entropy->setName(tr("entropy, %1").arg(series));
    m_share->setName(tr("future share, %1 (right axis)").arg(series));
    m_causalEntropy->point1->setCoords(0.0, causalEntropy);
    m_causalEntropy->point2->setCoords(1.0, causalEntropy);
    m_causalEntropy->setVisible(true);
    xAxis->setRange(lambdas.front(), lambdas.back());
    bool found = false;
    QCPRange range = m_entropy->getValueRange(found);
    range.expand(causalEntropy);
    range.lower = std::min(range.lower, 0.0);
    yAxis->setRange(range.lower, range.upper * 1.05 + 1e-9);
    replot(rpQueuedReplot);
    return true;
}

void LambdaSweepPlot::clearSweep() {
    m_lambdas.clear();
    m_entropyValues.clear();
    m_shareValues.clear();
    m_entropy->data()->clear();
    m_share->data()->clear();
    m_causalEntropy->setVisible(false);
    replot(rpQueuedReplot);
}

void LambdaSweepPlot::setCurrentLambda(double lambda) {
    m_current->point1->setCoords(lambda, 0.0);
    m_current->point2->setCoords(lambda, 1.0);
    m_current->setVisible(true);
    replot(rpQueuedReplot);
}

void LambdaSweepPlot::setTitle(const QString& title) {
    m_title = PlotTitle::set(this, m_title, title);
    replot(rpQueuedReplot);
}

QString LambdaSweepPlot::title() const {
    return m_title ? m_title->text() : QString();
}

QString LambdaSweepPlot::toCsv() const {
    QString out = QStringLiteral("lambda,entropy,future_share\n");
    for (std::size_t i = 0; i < m_lambdas.size(); ++i)
        out += csvNumber(m_lambdas[i]) + QLatin1Char(',') + csvNumber(m_entropyValues[i]) +
               QLatin1Char(',') + csvNumber(m_shareValues[i]) + QLatin1Char('\n');
    return out;
}

} // namespace fsllm
