#include "modelsummaryview.h"

#include <QDir>
#include <QFileInfo>

namespace fsllm {

namespace {

QString parameterText(std::int64_t count) {
    if (count >= 1000000000)
        return QStringLiteral("%1 B").arg(count / 1e9, 0, 'f', 2);
    if (count >= 1000000)
        return QStringLiteral("%1 M").arg(count / 1e6, 0, 'f', 2);
    return QStringLiteral("%1 k").arg(count / 1e3, 0, 'f', 1);
}

QString row(const QString& key, const QString& value) {
    return QStringLiteral("<tr><td style=\"padding-right:8px;color:#666\">%1</td><td>%2</td></tr>")
        .arg(key.toHtmlEscaped(), value.toHtmlEscaped());
}

} // namespace

ModelSummaryView::ModelSummaryView(QWidget* parent) : QLabel(parent) {
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    showNone();
}

void ModelSummaryView::showNone() {
    m_hasSummary = false;
    setTextFormat(Qt::PlainText);
    setText(tr("No model. Choose a checkpoint folder or drop one on this tab."));
}

void ModelSummaryView::showLoading(const QString& directory) {
    m_hasSummary = false;
    setTextFormat(Qt::PlainText);
    setText(tr("Opening %1 …").arg(QDir::toNativeSeparators(directory)));
}

void ModelSummaryView::showError(const QString& directory, const QString& error) {
    m_hasSummary = false;
    setTextFormat(Qt::RichText);
    setText(QStringLiteral("<span style=\"color:#c0392b\">%1</span>")
                .arg(tr("Cannot open %1: %2").arg(directory, error).toHtmlEscaped()));
}

QString ModelSummaryView::oneLine(const ModelSummary& s) {
    return tr("%1 · %2 layers · d=%3 · %4/%5 heads · %6 params · %7 on %8")
        .arg(QString::fromStdString(s.modelType))
        .arg(s.layers)
        .arg(s.hiddenSize)
        .arg(s.heads)
        .arg(s.kvHeads)
        .arg(parameterText(s.parameterCount), QString::fromStdString(s.computeDtype),
             QString::fromStdString(s.device));
}

void ModelSummaryView::showSummary(const ModelSummary& s) {
    m_hasSummary = true;
    const QString name = QFileInfo(QString::fromStdString(s.directory)).fileName();
    QString html = QStringLiteral("<b>%1</b><table>").arg(name.toHtmlEscaped());
    html += row(tr("architecture"), tr("%1, %2 layers, hidden %3, MLP %4")
                                        .arg(QString::fromStdString(s.modelType))
                                        .arg(s.layers)
                                        .arg(s.hiddenSize)
                                        .arg(s.intermediateSize));
    html += row(tr("family"), QString::fromStdString(s.family));
    html +=
        row(tr("attention"),
            tr("%1 heads, %2 kv heads, head dim %3").arg(s.heads).arg(s.kvHeads).arg(s.headDim));
    html += row(tr("options"), QString::fromStdString(s.options));
    html += row(tr("parameters"), parameterText(s.parameterCount));
    html += row(tr("vocabulary"), tr("%1 (tokenizer: %2 pieces), max %3 positions")
                                      .arg(s.vocabSize)
                                      .arg(s.tokenizerPieces)
                                      .arg(s.maxPositions));
    html += row(tr("tokenizer"), s.tokenizerKind.empty()
                                     ? tr("none (no tokenizer.model or tokenizer.json)")
                                     : QString::fromStdString(s.tokenizerKind).toHtmlEscaped());
    // The summary comes from the Inspect tab's engine. With dtype "auto", half-precision models
    // compute in float32 on a CPU where ComputeDtypeChoice says so, in training too.
    html += row(tr("dtype"),
                tr("stored %1 (on a CPU, float16, small bfloat16 models and, without BF16 "
                   "instructions, bfloat16 models whose float32 copy fits compute in float32, "
                   "in training too); the Inspect tab computes in %2 on %3")
                    .arg(QString::fromStdString(s.storedDtype),
                         QString::fromStdString(s.computeDtype), QString::fromStdString(s.device)));
    html += row(tr("runtime"), tr("LibTorch %1, %2 thread(s)%3")
                                   .arg(QString::fromStdString(s.runtime.torchVersion))
                                   .arg(s.runtime.threads)
                                   .arg(s.runtime.cudaAvailable ? tr(", CUDA") : QString()));
    html += QStringLiteral("</table>");
    setTextFormat(Qt::RichText);
    setText(html);
    setToolTip(QString::fromStdString(s.runtime.blasLibrary));
}

} // namespace fsllm
