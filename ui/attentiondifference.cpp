#include "attentiondifference.h"

#include "attentioncomparison.h"
#include "attentionheatmap.h"

#include <QHBoxLayout>

#include <algorithm>
#include <cmath>

namespace fsllm {

AttentionDifference::AttentionDifference(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    for (int i = 0; i < MapCount; ++i) {
        m_maps[i] = new AttentionHeatmap;
        m_maps[i]->setMinimumSize(200, 200);
        layout->addWidget(m_maps[i], 1);
    }
    for (const NamedPlot& plot : plots())
        ExportDialog::installContextMenu(plot.plot, plot.name);
    clear();
}

QList<NamedPlot> AttentionDifference::plots() const {
    return {{tr("Attention decay minus causal"), m_maps[DecayMinusCausal]},
            {tr("Attention bidirectional minus causal"), m_maps[BidirectionalMinusCausal]}};
}

void AttentionDifference::setContext(const QString& context) {
    m_context = context;
}

void AttentionDifference::clear() {
    m_range = 0.0;
    m_maps[DecayMinusCausal]->clearMatrix();
    m_maps[DecayMinusCausal]->setTitle(tr("decay − causal"));
    m_maps[BidirectionalMinusCausal]->clearMatrix();
    m_maps[BidirectionalMinusCausal]->setTitle(tr("bidirectional − causal"));
}

std::vector<float> AttentionDifference::difference(const std::vector<float>& a,
                                                   const std::vector<float>& b) {
    if (a.size() != b.size())
        return {};
    std::vector<float> out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        out[i] = a[i] - b[i];
    return out;
}

void AttentionDifference::setResults(const InspectResult& causal, const InspectResult& decay,
                                     const InspectResult& bidirectional, int layer, int head) {
    const std::vector<float> base = AttentionComparison::headMatrix(causal, layer, head);
    const std::array<const InspectResult*, MapCount> others = {&decay, &bidirectional};
    std::array<std::vector<float>, MapCount> maps;
    double largest = 0.0;
    for (int i = 0; i < MapCount; ++i) {
        maps[i] = difference(AttentionComparison::headMatrix(*others[i], layer, head), base);
        if (maps[i].empty() || others[i]->tokens != causal.tokens) {
            clear();
            return;
        }
        for (float v : maps[i])
            largest = std::max(largest, double(std::abs(v)));
    }
    m_range = largest > 0.0 ? largest : 1.0;
    QStringList tokens;
    for (const auto& piece : causal.tokens)
        tokens << QString::fromStdString(piece);
    const QString where =
        tr("layer %1 · %2").arg(layer).arg(AttentionComparison::headTitle(head));
    for (int i = 0; i < MapCount; ++i) {
        m_maps[i]->setMatrix(maps[i], tokens, HeatmapKind::Difference);
        m_maps[i]->setColorRange(QCPRange(-m_range, m_range)); // one scale for both maps
        QString title = tr("%1 − %2 · %3")
                            .arg(AttentionComparison::maskTitle(others[i]->mask),
                                 AttentionComparison::maskTitle(causal.mask), where);
        if (!m_context.isEmpty())
            title += QLatin1Char('\n') + m_context;
        m_maps[i]->setTitle(title);
        m_maps[i]->replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace fsllm
