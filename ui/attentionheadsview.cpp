#include "attentionheadsview.h"

#include "attentioncomparison.h"
#include "attentionheadgrid.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageWriter>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <cmath>

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
    m_grid->setContextMenuPolicy(Qt::CustomContextMenu);
    m_export = new QPushButton(tr("Export…"));
    m_export->setToolTip(tr("Save the grid as a PNG titled with the mask, model and adapter"));
    m_export->setEnabled(false);
    auto* scroll = new QScrollArea;
    scroll->setWidget(m_grid);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    connect(m_mask, &QComboBox::currentIndexChanged, this, &AttentionHeadsView::refresh);
    connect(m_scale, &QComboBox::currentIndexChanged, this, &AttentionHeadsView::refresh);
    connect(m_grid, &AttentionHeadGrid::headClicked, this, &AttentionHeadsView::headChosen);
    connect(m_export, &QPushButton::clicked, this, &AttentionHeadsView::chooseExport);
    connect(m_grid, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        QMenu menu(this);
        menu.addAction(tr("Export…"), this, &AttentionHeadsView::chooseExport)
            ->setEnabled(m_hasResults);
        menu.exec(m_grid->mapToGlobal(at));
    });

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Mask")));
    controls->addWidget(m_mask);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Scale")));
    controls->addWidget(m_scale);
    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Rows: layers, columns: heads. Click a head to open it.")),
                        1);
    controls->addWidget(m_export);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(scroll, 1);
}

void AttentionHeadsView::setResults(const InspectResult& causal, const InspectResult& decay,
                                    const InspectResult& bidirectional) {
    m_results = {causal, decay, bidirectional};
    m_hasResults = true;
    m_export->setEnabled(true);
    refresh();
}

void AttentionHeadsView::clear() {
    m_hasResults = false;
    m_export->setEnabled(false);
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

QString AttentionHeadsView::exportTitle() const {
    if (!m_hasResults)
        return {};
    const InspectResult& r = m_results[mask()];
    QString title = tr("All heads (%1 layers x %2 heads) · %3 · %4 tokens · %5 scale")
                        .arg(r.layers)
                        .arg(r.heads)
                        .arg(AttentionComparison::maskTitle(r.mask))
                        .arg(r.tokenCount)
                        .arg(AttentionScaling::name(scale()));
    if (!m_context.isEmpty())
        title += QLatin1Char('\n') + m_context; // "model X\nadapter Y" or "model X, no adapter"
    return title;
}

QString AttentionHeadsView::exportFileName() const {
    static const char* const kMasks[] = {"causal", "decay", "bidirectional"};
    return QStringLiteral("all_heads_%1.png").arg(QLatin1String(kMasks[mask()]));
}

bool AttentionHeadsView::exportImage(const QString& path, QString* error, double scale) const {
    const auto fail = [&](const QString& why) {
        if (error)
            *error = tr("%1: %2").arg(path, why);
        return false;
    };
    if (!m_hasResults)
        return fail(tr("no attention to export yet (inspect a sentence first)"));
    if (!(scale > 0.0 && scale <= 8.0))
        return fail(tr("the scale must be between 0 and 8 pixels per point, got %1").arg(scale));
    QImage image = m_grid->toImage(exportTitle(), scale);
    const int dotsPerMeter = int(std::lround(96.0 * scale / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    image.setText(QStringLiteral("Title"), exportTitle());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    QImageWriter writer(&file, "png");
    if (!writer.write(image)) {
        file.cancelWriting();
        return fail(writer.errorString());
    }
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

void AttentionHeadsView::chooseExport() {
    if (!m_hasResults)
        return;
    QSettings settings;
    const QString folder =
        settings
            .value(QStringLiteral("export/folder"),
                   QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
            .toString();
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export the all-heads grid"), QDir(folder).filePath(exportFileName()),
        tr("PNG image (*.png)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("export/folder"), QFileInfo(path).absolutePath());
    QString error;
    if (!exportImage(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace fsllm
