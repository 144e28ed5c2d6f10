#include "attributionview.h"

#include "attentioncomparison.h"
#include "tokenstrip.h"
#include "wheelguard.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace fsllm {

AttributionView::AttributionView(QWidget* parent) : QWidget(parent) {
    auto* explanation = new QLabel(
        tr("Which tokens push the predicted class up (red) or down (blue): the score is the "
           "predicted class's logit f (for a token classifier, the chosen token's tag). "
           "<b>Gradient × input</b>: x · ∂f/∂x per token (summed over "
           "the embedding). <b>Integrated gradients</b>: (x − x′) · the mean gradient along the "
           "straight path from the baseline x′ (every token embedding zero except BOS) to x, "
           "midpoint rule; the attributions add up to f(x) − f(x′). Hover a token for its "
           "value."));
    explanation->setWordWrap(true);
    explanation->setTextFormat(Qt::RichText);
    m_tokenRow = new QWidget;
    auto* tokenLayout = new QHBoxLayout(m_tokenRow);
    tokenLayout->setContentsMargins(0, 0, 0, 0);
    tokenLayout->addWidget(new QLabel(tr("Token whose tag is explained:")));
    m_tokenChoice = new QComboBox;
    m_tokenChoice->setObjectName(QStringLiteral("attributionToken"));
    m_tokenChoice->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    WheelGuard::install(m_tokenChoice); // scrolling the page never changes the token
    tokenLayout->addWidget(m_tokenChoice);
    tokenLayout->addStretch(1);
    m_tokenRow->hide();
    connect(m_tokenChoice, &QComboBox::activated, this,
            [this] { emit tokenChosen(chosenToken()); });
    m_hint = new QLabel;
    m_hint->setWordWrap(true);
    auto* grid = new QGridLayout;
    const char* methodNames[] = {"gradient × input", "integrated gradients"};
    for (int m = 0; m < kMasks; ++m) {
        m_headlines[m] = new QLabel;
        m_headlines[m]->setTextFormat(Qt::RichText);
        grid->addWidget(m_headlines[m], m * 4, 0, 1, 2);
        for (int k = 0; k < MethodCount; ++k) {
            auto* name = new QLabel(tr(methodNames[k]));
            name->setAlignment(Qt::AlignRight | Qt::AlignTop);
            grid->addWidget(name, m * 4 + 1 + k, 0);
            m_strips[m][k] = new QLabel;
            m_strips[m][k]->setTextFormat(Qt::RichText);
            m_strips[m][k]->setWordWrap(true);
            grid->addWidget(m_strips[m][k], m * 4 + 1 + k, 1);
        }
        m_checks[m] = new QLabel;
        m_checks[m]->setStyleSheet(QStringLiteral("color: #666;"));
        grid->addWidget(m_checks[m], m * 4 + 3, 1);
    }
    grid->setColumnStretch(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(explanation);
    layout->addWidget(m_tokenRow);
    layout->addWidget(m_hint);
    layout->addLayout(grid);
    layout->addStretch(1);
    showHint(tr("Choose a run folder as adapter to see token attribution."));
}

void AttributionView::showHint(const QString& text) {
    m_hasResults = false;
    m_scales = {};
    m_hint->setText(text);
    m_hint->setVisible(!text.isEmpty());
    for (int m = 0; m < kMasks; ++m) {
        m_headlines[m]->clear();
        m_checks[m]->clear();
        for (QLabel* strip : m_strips[m])
            strip->clear();
    }
}

QString AttributionView::hint() const {
    return m_hint->isHidden() ? QString() : m_hint->text();
}

bool AttributionView::setResults(const std::vector<AttributionResult>& results) {
    if (results.size() != std::size_t(kMasks)) {
        showHint(tr("No attribution: expected one result per mask."));
        return false;
    }
    m_scales = {};
    for (const AttributionResult& r : results) {
        m_scales[GradientTimesInput] =
            std::max(m_scales[GradientTimesInput], TokenStrip::maxAbs(r.gradientTimesInput));
        m_scales[IntegratedGradients] =
            std::max(m_scales[IntegratedGradients], TokenStrip::maxAbs(r.integratedGradients));
    }
    m_hint->clear();
    m_hint->setVisible(false);
    for (int m = 0; m < kMasks; ++m) {
        const AttributionResult& r = results[std::size_t(m)];
        QStringList tokens;
        for (const auto& piece : r.tokens)
            tokens << QString::fromStdString(piece);
        const QString mask = AttentionComparison::maskTitle(r.mask).toHtmlEscaped();
        const QString label = QString::fromStdString(r.label).toHtmlEscaped();
        if (r.tokenIndex >= 0 && std::size_t(r.tokenIndex) < r.tokens.size())
            m_headlines[m]->setText(
                tr("<b>%1</b>: token %2 “%3” is tagged <b>%4</b> (p = %5)")
                    .arg(mask)
                    .arg(r.tokenIndex)
                    .arg(tokens[r.tokenIndex].toHtmlEscaped(), label)
                    .arg(r.probability, 0, 'f', 3));
        else
            m_headlines[m]->setText(tr("<b>%1</b>: predicts <b>%2</b> (p = %3)")
                                        .arg(mask, label)
                                        .arg(r.probability, 0, 'f', 3));
        m_strips[m][GradientTimesInput]->setText(
            TokenStrip::html(tokens, r.gradientTimesInput, m_scales[GradientTimesInput]));
        m_strips[m][IntegratedGradients]->setText(
            TokenStrip::html(tokens, r.integratedGradients, m_scales[IntegratedGradients]));
        double sum = 0.0;
        for (float a : r.integratedGradients)
            sum += double(a);
        m_checks[m]->setText(tr("integrated gradients, %1 steps: sum %2 vs f(x) − f(x′) = "
                                "%3 − %4 = %5")
                                 .arg(r.steps)
                                 .arg(sum, 0, 'f', 4)
                                 .arg(r.inputScore, 0, 'f', 4)
                                 .arg(r.baselineScore, 0, 'f', 4)
                                 .arg(r.inputScore - r.baselineScore, 0, 'f', 4));
    }
    m_hasResults = true;
    return true;
}

void AttributionView::setTokenChoices(const std::vector<std::string>& tokens, int chosen) {
    m_tokenChoice->clear();
    m_tokenRow->setVisible(!tokens.empty());
    if (tokens.empty())
        return;
    m_tokenChoice->addItem(tr("automatic: the most confident token tagged other than O"), -1);
    for (std::size_t i = 0; i < tokens.size(); ++i)
        m_tokenChoice->addItem(tr("%1: %2").arg(i).arg(QString::fromStdString(tokens[i])),
                               int(i));
    const int index = m_tokenChoice->findData(chosen);
    m_tokenChoice->setCurrentIndex(index >= 0 ? index : 0);
}

int AttributionView::chosenToken() const {
    return m_tokenChoice->count() > 0 ? m_tokenChoice->currentData().toInt() : -1;
}

bool AttributionView::tokenChoiceShown() const {
    return !m_tokenRow->isHidden();
}

QString AttributionView::headline(int mask) const {
    return mask >= 0 && mask < kMasks ? m_headlines[std::size_t(mask)]->text() : QString();
}

QString AttributionView::stripHtml(int mask, Method method) const {
    return mask >= 0 && mask < kMasks ? m_strips[std::size_t(mask)][method]->text() : QString();
}

} // namespace fsllm
