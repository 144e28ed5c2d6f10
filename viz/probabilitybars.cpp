#include "probabilitybars.h"

#include "plottitle.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fsllm {

namespace {

constexpr double kBarWidth = 0.7;      // in key units (one class = 1)
constexpr double kInsideLabelAt = 0.8; // from this probability on, the value sits inside the bar

} // namespace

ProbabilityBars::ProbabilityBars(QWidget* parent) : QCustomPlot(parent) {
    // Horizontal bars: the key axis is the left axis (one class per unit), values run along x.
    m_bars = new QCPBars(yAxis, xAxis);
    m_highlight = new QCPBars(yAxis, xAxis);
    for (QCPBars* bars : {m_bars, m_highlight}) {
        bars->setWidth(kBarWidth);
        bars->setPen(Qt::NoPen);
        bars->setAntialiased(false);
    }
    m_bars->setName(tr("probability"));
    m_bars->setBrush(barColor());
    m_highlight->setName(tr("prediction"));
    m_highlight->setBrush(highlightColor());

    xAxis->setLabel(tr("probability"));
    xAxis->setRange(0.0, 1.0);
    xAxis->grid()->setSubGridVisible(false);
    yAxis->grid()->setVisible(false);
    yAxis->setRangeReversed(true); // first class on top
    yAxis->setSubTicks(false);
    yAxis->setTickLength(0, 0);
    clearBars();
}

ProbabilityBars::~ProbabilityBars() = default;

bool ProbabilityBars::setProbabilities(const QStringList& labels,
                                       const std::vector<float>& probabilities) {
    if (size_t(labels.size()) != probabilities.size())
        return false;
    for (float p : probabilities)
        if (!std::isfinite(p))
            return false;
    clearBars();
    m_labels = labels;
    m_probabilities = probabilities;
    for (int i = 0; i < barCount(); ++i)
        if (m_argmax < 0 || m_probabilities[i] > m_probabilities[m_argmax])
            m_argmax = i;

    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < barCount(); ++i) {
        const double p = std::clamp(double(m_probabilities[i]), 0.0, 1.0);
        (i == m_argmax ? m_highlight : m_bars)->addData(i, p);
        ticker->addTick(i, m_labels[i]);

        auto* text = new QCPItemText(this);
        const bool inside = p >= kInsideLabelAt;
        text->position->setCoords(inside ? p - 0.01 : p + 0.01, i);
        text->setPositionAlignment(Qt::AlignVCenter | (inside ? Qt::AlignRight : Qt::AlignLeft));
        text->setText(QString::number(double(m_probabilities[i]), 'f', 3));
        text->setColor(inside ? Qt::white : Qt::black);
        if (i == m_argmax) {
            QFont bold = font();
            bold.setBold(true);
            text->setFont(bold);
        }
        m_valueLabels.append(text);
    }
    yAxis->setTicker(ticker);
    yAxis->setRange(-0.5, std::max(barCount(), 1) - 0.5);
    replot(rpQueuedReplot);
    return true;
}

void ProbabilityBars::clearBars() {
    for (QCPItemText* text : m_valueLabels)
        removeItem(text);
    m_valueLabels.clear();
    m_labels.clear();
    m_probabilities.clear();
    m_argmax = -1;
    m_bars->data()->clear();
    m_highlight->data()->clear();
    yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    yAxis->setRange(-0.5, 0.5);
    replot(rpQueuedReplot);
}

void ProbabilityBars::setTitle(const QString& title) {
    m_title = PlotTitle::set(this, m_title, title);
    replot(rpQueuedReplot);
}

QColor ProbabilityBars::barColor() {
    return QColor(0x9e, 0xb8, 0xd3);
}

QColor ProbabilityBars::highlightColor() {
    return QColor(0xe6, 0x6c, 0x00);
}

float ProbabilityBars::probability(int index) const {
    if (index < 0 || index >= barCount())
        return std::numeric_limits<float>::quiet_NaN();
    return m_probabilities[size_t(index)];
}

QString ProbabilityBars::toCsv() const {
    QString csv = QStringLiteral("label,probability,argmax\n");
    for (int i = 0; i < barCount(); ++i)
        csv += csvField(m_labels[i]) + QLatin1Char(',') + csvNumber(m_probabilities[i]) +
               QLatin1Char(',') + (i == m_argmax ? QLatin1Char('1') : QLatin1Char('0')) +
               QLatin1Char('\n');
    return csv;
}

} // namespace fsllm
