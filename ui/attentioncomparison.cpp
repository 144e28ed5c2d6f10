#include "attentioncomparison.h"

#include "attentionheatmap.h"
#include "maskspec.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace fsllm {

namespace {

QStringList tokenLabels(const InspectResult& result) {
    QStringList tokens;
    for (const auto& piece : result.tokens)
        tokens << QString::fromStdString(piece);
    return tokens;
}

QString mapTitle(const InspectResult& result) {
    switch (result.mask.mode) {
    case MaskMode::Causal:
        return QObject::tr("causal");
    case MaskMode::Bidirectional:
        return QObject::tr("bidirectional (λ = 0)");
    case MaskMode::Decay:
        return QObject::tr("decay (λ = %1)").arg(result.mask.lambda, 0, 'g', 3);
    }
    return {};
}

} // namespace

AttentionComparison::AttentionComparison(QWidget* parent) : QWidget(parent) {
    m_layer = new QComboBox;
    m_head = new QComboBox;
    m_showMask = new QCheckBox(tr("show mask M instead of attention"));
    connect(m_layer, &QComboBox::currentIndexChanged, this, &AttentionComparison::refresh);
    connect(m_head, &QComboBox::currentIndexChanged, this, &AttentionComparison::refresh);
    connect(m_showMask, &QCheckBox::toggled, this, &AttentionComparison::refresh);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Layer")));
    controls->addWidget(m_layer);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Head")));
    controls->addWidget(m_head);
    controls->addSpacing(8);
    controls->addWidget(m_showMask);
    controls->addStretch(1);

    auto* maps = new QHBoxLayout;
    maps->setSpacing(4);
    for (int i = 0; i < MapCount; ++i) {
        m_maps[i] = new AttentionHeatmap;
        m_maps[i]->setMinimumSize(200, 200);
        maps->addWidget(m_maps[i], 1);
    }
    const QList<NamedPlot> named = plots();
    for (const NamedPlot& plot : named)
        ExportDialog::installContextMenu(plot.plot, plot.name);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addLayout(maps, 1);
    clear();
}

QList<NamedPlot> AttentionComparison::plots() const {
    return {{tr("Attention causal"), m_maps[CausalMap]},
            {tr("Attention decay"), m_maps[DecayMap]},
            {tr("Attention bidirectional"), m_maps[BidirectionalMap]}};
}

void AttentionComparison::setContext(const QString& model, const QString& adapter) {
    // One name a line: a map is a third of the window wide, and a centred title wider than
    // its map is cut on both sides.
    m_context = adapter.isEmpty() ? tr("model %1, no adapter").arg(model)
                                  : tr("model %1\nadapter %2").arg(model, adapter);
    refresh();
}

void AttentionComparison::clear() {
    m_hasResults = false;
    const char* titles[] = {"causal", "decay", "bidirectional"};
    for (int i = 0; i < MapCount; ++i) {
        m_maps[i]->clearMatrix();
        m_maps[i]->setTitle(tr(titles[i]));
        m_maps[i]->replot(QCustomPlot::rpQueuedReplot);
    }
}

void AttentionComparison::setResults(const InspectResult& causal, const InspectResult& decay,
                                     const InspectResult& bidirectional) {
    const bool shapeChanged =
        !m_hasResults || causal.layers != m_results[0].layers || causal.heads != m_results[0].heads;
    m_results = {causal, decay, bidirectional};
    m_hasResults = true;
    if (shapeChanged)
        rebuildSelectors();
    refresh();
}

void AttentionComparison::rebuildSelectors() {
    const QSignalBlocker layerBlock(m_layer);
    const QSignalBlocker headBlock(m_head);
    const int layer = std::max(0, m_layer->currentIndex());
    const int head = m_head->currentIndex();
    m_layer->clear();
    m_head->clear();
    for (int l = 0; l < m_results[0].layers; ++l)
        m_layer->addItem(QString::number(l));
    m_head->addItem(tr("mean"), kMeanHead);
    for (int h = 0; h < m_results[0].heads; ++h)
        m_head->addItem(QString::number(h), h);
    // Default: the last layer, where the mask's effect has accumulated.
    m_layer->setCurrentIndex(layer > 0 && layer < m_layer->count() ? layer : m_layer->count() - 1);
    m_head->setCurrentIndex(head >= 0 && head < m_head->count() ? head : 0);
}

void AttentionComparison::setLayer(int layer) {
    m_layer->setCurrentIndex(layer);
}
void AttentionComparison::setHead(int head) {
    m_head->setCurrentIndex(m_head->findData(head));
}
void AttentionComparison::setShowMask(bool showMask) {
    m_showMask->setChecked(showMask);
}
int AttentionComparison::layer() const {
    return m_layer->currentIndex();
}
int AttentionComparison::head() const {
    return m_head->currentData().toInt();
}
bool AttentionComparison::showsMask() const {
    return m_showMask->isChecked();
}

std::vector<float> AttentionComparison::headMatrix(const InspectResult& result, int layer,
                                                   int head) {
    const int t = result.tokenCount;
    const std::size_t cells = std::size_t(t) * std::size_t(t);
    if (layer < 0 || layer >= result.layers || result.attention.empty())
        return {};
    if (head != kMeanHead) {
        const float* start = result.attentionRow(layer, head, 0);
        return std::vector<float>(start, start + cells);
    }
    std::vector<float> mean(cells, 0.0f);
    for (int h = 0; h < result.heads; ++h) {
        const float* start = result.attentionRow(layer, h, 0);
        for (std::size_t i = 0; i < cells; ++i)
            mean[i] += start[i];
    }
    for (float& value : mean)
        value /= float(result.heads);
    return mean;
}

void AttentionComparison::refresh() {
    if (!m_hasResults)
        return;
    const bool mask = m_showMask->isChecked();
    const int l = layer();
    const int h = head();
    float lowest = 0.0f; // the most negative finite mask value, for one shared scale
    std::array<std::vector<float>, MapCount> matrices;
    for (int i = 0; i < MapCount; ++i) {
        const InspectResult& r = m_results[i];
        matrices[i] = mask ? maskMatrix(r.tokenCount, r.mask) : headMatrix(r, l, h);
        if (mask)
            for (float v : matrices[i])
                if (std::isfinite(v))
                    lowest = std::min(lowest, v);
    }
    const QString headText = h == kMeanHead ? tr("mean of heads") : tr("head %1").arg(h);
    for (int i = 0; i < MapCount; ++i) {
        const InspectResult& r = m_results[i];
        m_maps[i]->setMatrix(matrices[i], tokenLabels(r),
                             mask ? HeatmapKind::AdditiveMask : HeatmapKind::Probabilities);
        if (mask)
            m_maps[i]->setColorRange(QCPRange(lowest < 0.0f ? lowest : -1.0, 0.0));
        else
            m_maps[i]->resetColorRange();
        // Layer, head, model and adapter in the title, so an exported figure says what it shows.
        QString title = mask ? tr("mask M: %1").arg(mapTitle(r))
                             : tr("%1 · layer %2 · %3").arg(mapTitle(r)).arg(l).arg(headText);
        if (!m_context.isEmpty())
            title += QLatin1Char('\n') + m_context;
        m_maps[i]->setTitle(title);
        m_maps[i]->setToolTip(tr("%1, layer %2, %3").arg(mapTitle(r)).arg(l).arg(headText));
        m_maps[i]->replot(QCustomPlot::rpQueuedReplot);
    }
}

} // namespace fsllm
