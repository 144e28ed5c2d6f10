#include "predictionview.h"

#include "probabilitybars.h"

#include <QLabel>
#include <QStackedWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace fsllm {

namespace {

const QString kWordStart = QStringLiteral("\u2581"); // sentencepiece's word-start marker

} // namespace

PredictionView::PredictionView(QWidget* parent) : QWidget(parent) {
    m_headline = new QLabel;
    m_headline->setWordWrap(true);
    m_headline->setTextFormat(Qt::RichText);
    m_bars = new ProbabilityBars;
    m_bars->setMinimumHeight(120);
    ExportDialog::installContextMenu(m_bars, tr("Prediction"));
    m_tagged = new QLabel;
    m_tagged->setWordWrap(true);
    m_tagged->setTextFormat(Qt::RichText);
    m_tagged->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_tagged->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hint = new QLabel;
    m_hint->setWordWrap(true);
    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_stack = new QStackedWidget;
    m_stack->addWidget(m_hint);
    m_stack->addWidget(m_bars);
    m_stack->addWidget(m_tagged);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_headline);
    layout->addWidget(m_stack, 1);
    showHint(tr("Load a run (Inspect ▸ adapter) to see the classifier's prediction."));
}

QString PredictionView::headline() const {
    return m_headline->text();
}

void PredictionView::showHint(const QString& text) {
    m_wordTags.clear();
    m_bars->clearBars(); // nothing of an earlier prediction survives (export included)
    m_headline->setText(tr("<b>Prediction</b>"));
    m_hint->setText(text);
    m_stack->setCurrentWidget(m_hint);
}

void PredictionView::showResult(const InspectResult& result, const QString& source) {
    if (!result.hasPrediction || result.labels.empty()) {
        showHint(tr("This model has no classifier head loaded."));
        return;
    }
    if (result.task == TaskKind::Sequence)
        showSequence(result, source);
    else
        showTokens(result, source);
}

void PredictionView::showSequence(const InspectResult& result, const QString& source) {
    m_wordTags.clear();
    QStringList labels;
    for (const auto& label : result.labels)
        labels << QString::fromStdString(label);
    m_bars->setProbabilities(labels, result.probabilities);
    m_bars->replot(QCustomPlot::rpQueuedReplot);
    const int best = m_bars->argmax();
    m_headline->setText(tr("<b>Prediction: %1</b> (%2 %) <span style=\"color:gray\">%3</span>")
                            .arg(labels.value(best).toHtmlEscaped())
                            .arg(100.0 * m_bars->probability(best), 0, 'f', 1)
                            .arg(source.toHtmlEscaped()));
    m_stack->setCurrentWidget(m_bars);
}

QList<QPair<QString, int>> PredictionView::wordsOf(const std::vector<std::string>& pieces) {
    QList<QPair<QString, int>> words;
    bool startWord = true; // the next piece begins a word (also after a lone marker piece)
    for (int i = 0; i < int(pieces.size()); ++i) {
        QString piece = QString::fromStdString(pieces[std::size_t(i)]);
        if (piece.startsWith(QLatin1Char('<')) && piece.endsWith(QLatin1Char('>')))
            continue; // <s>, </s>, <unk> control pieces
        if (piece.startsWith(kWordStart)) {
            piece.remove(0, 1);
            startWord = true;
        }
        if (piece.isEmpty())
            continue; // a lone marker: the word starts at the next piece
        if (startWord || words.isEmpty())
            words.append({piece, i});
        else
            words.last().first += piece;
        startWord = false;
    }
    return words;
}

QColor PredictionView::tagColor(const QString& tag) {
    if (tag == QLatin1String("O") || tag.isEmpty())
        return Qt::transparent;
    const QString type = tag.contains(QLatin1Char('-')) ? tag.section(QLatin1Char('-'), 1) : tag;
    static const QColor palette[] = {QColor(0xa6, 0xce, 0xe3), QColor(0xb2, 0xdf, 0x8a),
                                     QColor(0xfb, 0x9a, 0x99), QColor(0xfd, 0xbf, 0x6f),
                                     QColor(0xca, 0xb2, 0xd6), QColor(0xff, 0xff, 0x99)};
    return palette[qHash(type) % (sizeof palette / sizeof palette[0])];
}

void PredictionView::showTokens(const InspectResult& result, const QString& source) {
    m_wordTags.clear();
    const int classes = int(result.labels.size());
    QString html;
    for (const auto& [word, index] : wordsOf(result.tokens)) {
        const float* row = result.probabilities.data() + std::size_t(index) * std::size_t(classes);
        const int best = int(std::max_element(row, row + classes) - row);
        const QString tag = QString::fromStdString(result.labels[std::size_t(best)]);
        m_wordTags << word + QLatin1Char('/') + tag;
        const QColor color = tagColor(tag);
        if (color.alpha() == 0) {
            html += word.toHtmlEscaped() + QLatin1Char(' ');
            continue;
        }
        html += QStringLiteral("<span style=\"background:%1\">&nbsp;%2&nbsp;<sub>%3</sub>"
                               "</span> ")
                    .arg(color.name(), word.toHtmlEscaped(), tag.toHtmlEscaped());
    }
    m_tagged->setText(
        QStringLiteral("<div style=\"font-size:large; line-height:150%\">%1</div>").arg(html));
    m_headline->setText(tr("<b>Predicted tags</b> <span style=\"color:gray\">%1</span>")
                            .arg(source.toHtmlEscaped()));
    m_stack->setCurrentWidget(m_tagged);
}

} // namespace fsllm
