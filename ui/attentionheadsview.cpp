#include "attentionheadsview.h"

#include "attentioncomparison.h"
#include "attentionheadgrid.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace fsllm {

AttentionHeadsView::AttentionHeadsView(QWidget* parent) : QWidget(parent) {
    m_mask = new QComboBox;
    m_mask->addItem(tr("causal"), Causal);
    m_mask->addItem(tr("decay (slider λ)"), Decay);
    m_mask->addItem(tr("bidirectional"), Bidirectional);
    m_mask->setCurrentIndex(Decay);
    m_scale = new QComboBox;
    for (AttentionScale scale :
         {AttentionScale::Global, AttentionScale::PerRow, AttentionScale::Log})
        m_scale->addItem(AttentionScaling::name(scale), int(scale));
    m_scale->setToolTip(tr("global: one [0, max] range for the whole grid; per row: each query "
                           "row divided by its maximum; log10: small weights visible"));
    m_grid = new AttentionHeadGrid;
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_grid);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    connect(m_mask, &QComboBox::currentIndexChanged, this, &AttentionHeadsView::refresh);
    connect(m_scale, &QComboBox::currentIndexChanged, this, &AttentionHeadsView::refresh);
    connect(m_grid, &AttentionHeadGrid::headClicked, this, &AttentionHeadsView::headChosen);

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Mask")));
    controls->addWidget(m_mask);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Scale")));
    controls->addWidget(m_scale);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Rows: layers, columns: heads. Click a head to open it.")),
                        1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(scroll, 1);
}

void AttentionHeadsView::setResults(const InspectResult& causal, const InspectResult& decay,
                                    const InspectResult& bidirectional) {
    m_results = {causal, decay, bidirectional};
    m_hasResults = true;
    refresh();
}

void AttentionHeadsView::clear() {
    m_hasResults = false;
    m_results = {};
    m_grid->clear();
    m_grid->setCaption(QString());
}

void AttentionHeadsView::setContext(const QString& context) {
    m_context = context;
    refresh();
}

void AttentionHeadsView::setMask(Mask mask) {
    m_mask->setCurrentIndex(m_mask->findData(int(mask)));
}

void AttentionHeadsView::setScale(AttentionScale scale) {
    m_scale->setCurrentIndex(m_scale->findData(int(scale)));
}

void AttentionHeadsView::setSelected(int layer, int head) {
    m_grid->setSelected(layer, head);
}

AttentionHeadsView::Mask AttentionHeadsView::mask() const {
    return Mask(m_mask->currentData().toInt());
}

AttentionScale AttentionHeadsView::scale() const {
    return AttentionScale(m_scale->currentData().toInt());
}

void AttentionHeadsView::refresh() {
    if (!m_hasResults)
        return;
    const InspectResult& r = m_results[mask()];
    m_grid->setAttention(r.attention, r.layers, r.heads, r.tokenCount, scale());
    QString caption = tr("%1 · %2 tokens · %3 scale")
                          .arg(AttentionComparison::maskTitle(r.mask))
                          .arg(r.tokenCount)
                          .arg(AttentionScaling::name(scale()));
    if (!m_context.isEmpty())
        caption += QStringLiteral(" · ") + QString(m_context).replace(QLatin1Char('\n'),
                                                                      QStringLiteral(" · "));
    m_grid->setCaption(caption);
}

} // namespace fsllm
