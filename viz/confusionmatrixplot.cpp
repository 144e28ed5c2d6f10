#include "confusionmatrixplot.h"

#include "plottitle.h"

#include <algorithm>

namespace fsllm {

ConfusionMatrixPlot::ConfusionMatrixPlot(QWidget* parent) : QCustomPlot(parent) {
    axisRect()->setupFullAxesBox(true);
    for (QCPAxis* axis : {xAxis, yAxis, xAxis2, yAxis2}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setTickLength(0, 3);
    }
    xAxis2->setTicks(false);
    yAxis2->setTicks(false);
    xAxis->setLabel(tr("predicted"));
    yAxis->setLabel(tr("gold"));
    yAxis->setRangeReversed(true); // first label on top, as in a printed matrix
    xAxis->setTickLabelRotation(45);

    m_map = new QCPColorMap(xAxis, yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(this);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(12);
    m_scale->axis()->setLabel(tr("share of the gold row"));
    plotLayout()->addElement(0, 1, m_scale);
    m_map->setColorScale(m_scale);
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(0xf7, 0xfb, 0xff));
    gradient.setColorStopAt(0.5, QColor(0x6b, 0xae, 0xd6));
    gradient.setColorStopAt(1.0, QColor(0x08, 0x30, 0x6b));
    m_map->setGradient(gradient);
    m_map->setDataRange(QCPRange(0.0, 1.0));
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    // The cells' size is known once laid out: show the counts when they fit.
    connect(this, &QCustomPlot::afterLayout, this, &ConfusionMatrixPlot::placeCountLabels);
    clearMatrix();
}

bool ConfusionMatrixPlot::setMatrix(const QStringList& labels,
                                    const QVector<QVector<int>>& counts) {
    const int n = int(labels.size());
    if (n == 0 || counts.size() != n)
        return false;
    for (const auto& row : counts)
        if (row.size() != n)
            return false;
    m_labels = labels;
    m_counts = counts;
    QCPColorMapData* data = m_map->data();
    data->clear();
    data->setSize(n, n);
    data->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    for (int gold = 0; gold < n; ++gold)
        for (int predicted = 0; predicted < n; ++predicted)
            data->setCell(predicted, gold, rowShare(gold, predicted)); // key = column
    auto xTicker = QSharedPointer<QCPAxisTickerText>::create();
    auto yTicker = QSharedPointer<QCPAxisTickerText>::create();
    for (int i = 0; i < n; ++i) {
        xTicker->addTick(i, labels[i]);
        yTicker->addTick(i, labels[i]);
    }
    xAxis->setTicker(xTicker);
    yAxis->setTicker(yTicker);
    xAxis->setRange(-0.5, n - 0.5);
    yAxis->setRange(-0.5, n - 0.5);
    for (QCPItemText* label : m_countLabels)
        removeItem(label);
    m_countLabels.clear();
    for (int gold = 0; gold < n; ++gold) {
        for (int predicted = 0; predicted < n; ++predicted) {
            auto* label = new QCPItemText(this);
            label->position->setCoords(predicted, gold);
            label->setText(QString::number(counts[gold][predicted]));
            label->setColor(rowShare(gold, predicted) > 0.55 ? Qt::white : Qt::black);
            label->setClipToAxisRect(true);
            m_countLabels << label;
        }
    }
    placeCountLabels();
    replot(rpQueuedReplot);
    return true;
}

void ConfusionMatrixPlot::clearMatrix() {
    m_labels.clear();
    m_counts.clear();
    m_map->data()->clear();
    for (QCPItemText* label : m_countLabels)
        removeItem(label);
    m_countLabels.clear();
    m_countsShown = false;
    xAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    xAxis->setRange(-0.5, 0.5);
    yAxis->setRange(-0.5, 0.5);
    replot(rpQueuedReplot);
}

void ConfusionMatrixPlot::placeCountLabels() {
    const int n = int(m_labels.size());
    const QRect rect = axisRect()->rect();
    const bool fits = n > 0 && std::min(rect.width(), rect.height()) / n >= kMinCellPixelsForCounts;
    m_countsShown = fits;
    for (QCPItemText* label : m_countLabels)
        label->setVisible(fits);
}

void ConfusionMatrixPlot::setTitle(const QString& title) {
    m_title = PlotTitle::set(this, m_title, title);
    replot(rpQueuedReplot);
}

QString ConfusionMatrixPlot::title() const {
    return m_title ? m_title->text() : QString();
}

int ConfusionMatrixPlot::count(int gold, int predicted) const {
    const int n = int(m_labels.size());
    return gold >= 0 && gold < n && predicted >= 0 && predicted < n ? m_counts[gold][predicted]
                                                                      : -1;
}

double ConfusionMatrixPlot::rowShare(int gold, int predicted) const {
    if (count(gold, predicted) < 0)
        return 0.0;
    long long total = 0;
    for (int c : m_counts[gold])
        total += c;
    return total == 0 ? 0.0 : double(m_counts[gold][predicted]) / double(total);
}

QString ConfusionMatrixPlot::toCsv() const {
    QString csv = QStringLiteral("gold,predicted,count,row_share\n");
    for (int gold = 0; gold < m_labels.size(); ++gold)
        for (int predicted = 0; predicted < m_labels.size(); ++predicted)
            csv += csvField(m_labels[gold]) + QLatin1Char(',') + csvField(m_labels[predicted]) +
                   QLatin1Char(',') + QString::number(m_counts[gold][predicted]) +
                   QLatin1Char(',') + csvNumber(rowShare(gold, predicted)) + QLatin1Char('\n');
    return csv;
}

} // namespace fsllm
