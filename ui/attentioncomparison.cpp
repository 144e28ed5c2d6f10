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
    return AttentionComparison::maskTitle(result.mask);
}

} // namespace

QString AttentionComparison::maskTitle(const MaskSpec& mask) {
    switch (mask.mode) {
    case MaskMode::Causal:
        return tr("causal");
    case MaskMode::Bidirectional:
        return tr("bidirectional (λ = 0)");
    case MaskMode::Decay:
        return tr("decay (λ = %1)").arg(mask.lambda, 0, 'g', 3);
    }
    return {};
}

QString AttentionComparison::headTitle(int head) {
    return head == kMeanHead ? tr("mean of heads") : tr("head %1").arg(head);
}

AttentionComparison::AttentionComparison(QWidget* parent) : QWidget(parent) {
    m_layer = new QComboBox;
    m_head = new QComboBox;
    m_showMask = new QCheckBox(tr("show mask M instead of attention"));
    m_scale = new QComboBox;
    for (AttentionScale scale :
         {AttentionScale::Global, AttentionScale::PerRow, AttentionScale::Log})
        m_scale->addItem(AttentionScaling::name(scale), int(scale));
    m_scale->setToolTip(tr("global: one [0, max] range for the three maps; per row: each query "
                           "row divided by its maximum; log10: small weights visible"));
    connect(m_layer, &QComboBox::currentIndexChanged, this, &AttentionComparison::refresh);
    connect(m_head, &QComboBox::currentIndexChanged, this, &AttentionComparison::refresh);
    connect(m_showMask, &QCheckBox::toggled, this, &AttentionComparison::refresh);
    connect(m_scale, &QComboBox::currentIndexChanged, this, &AttentionComparison::refresh);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Layer")));
    controls->addWidget(m_layer);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Head")));
    controls->addWidget(m_head);
    controls->addSpacing(8);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Scale")));
    controls->addWidget(m_scale);
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
void AttentionComparison::setScale(AttentionScale scale) {
    m_scale->setCurrentIndex(m_scale->findData(int(scale)));
}
AttentionScale AttentionComparison::scale() const {
    return AttentionScale(m_scale->currentData().toInt());
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
    const AttentionScale attentionScale = scale();
    float lowest = 0.0f;  // the most negative finite mask value, for one shared scale
    float highest = 0.0f; // the largest attention weight, for one shared global scale
    std::array<std::vector<float>, MapCount> matrices;
    for (int i = 0; i < MapCount; ++i) {
        const InspectResult& r = m_results[i];
        matrices[i] = mask ? maskMatrix(r.tokenCount, r.mask)
                           : AttentionScaling::apply(headMatrix(r, l, h), r.tokenCount,
                                                     attentionScale);
        if (mask)
            for (float v : matrices[i])
                if (std::isfinite(v))
                    lowest = std::min(lowest, v);
        highest = std::max(highest, AttentionScaling::maximum(matrices[i]));
    }
    const HeatmapKind kind = mask ? HeatmapKind::AdditiveMask
                             : attentionScale == AttentionScale::PerRow ? HeatmapKind::RowScaled
                             : attentionScale == AttentionScale::Log    ? HeatmapKind::LogScaled
                                                                        : HeatmapKind::Probabilities;
    const QString headText = headTitle(h);
    const QString scaleText = attentionScale == AttentionScale::Global
                                  ? QString()
                                  : tr(" · %1 scale").arg(AttentionScaling::name(attentionScale));
    for (int i = 0; i < MapCount; ++i) {
        const InspectResult& r = m_results[i];
        m_maps[i]->setMatrix(matrices[i], tokenLabels(r), kind);
        if (mask)
            m_maps[i]->setColorRange(QCPRange(lowest < 0.0f ? lowest : -1.0, 0.0));
        else if (attentionScale == AttentionScale::Global)
            m_maps[i]->setColorRange(QCPRange(0.0, highest > 0.0f ? double(highest) : 1.0));
        else
            m_maps[i]->resetColorRange();
        // Layer, head, model and adapter in the title, so an exported figure says what it shows.
        QString title = mask ? tr("mask M: %1").arg(mapTitle(r))
                             : tr("%1 · layer %2 · %3%4")
                                   .arg(mapTitle(r))
                                   .arg(l)
                                   .arg(headText, scaleText);
        if (!m_context.isEmpty())
            title += QLatin1Char('\n') + m_context;
        m_maps[i]->setTitle(title);
        m_maps[i]->setToolTip(tr("%1, layer %2, %3").arg(mapTitle(r)).arg(l).arg(headText));
        m_maps[i]->replot(QCustomPlot::rpQueuedReplot);
    }
    emit viewChanged();
}

} // namespace fsllm
