#include "lambdasweepview.h"

#include "lambdasweepplot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace fsllm {

LambdaSweepView::LambdaSweepView(QWidget* parent) : QWidget(parent) {
    m_token = new QComboBox;
    m_token->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_plot = new LambdaSweepPlot;
    m_plot->setMinimumSize(300, 200);
    ExportDialog::installContextMenu(m_plot, tr("Lambda sweep"));
    connect(m_token, &QComboBox::currentIndexChanged, this, &LambdaSweepView::refresh);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Query token")));
    controls->addWidget(m_token);
    controls->addSpacing(8);
    auto* note = new QLabel(tr("Mean over layers and heads. Entropy −Σ p ln p of the query's "
                               "attention row; future share: its attention to later tokens. "
                               "Dotted: the causal mask (λ → ∞)."));
    note->setWordWrap(true);
    controls->addWidget(note, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);
    clear();
}

QList<NamedPlot> LambdaSweepView::plots() const {
    return {{tr("Lambda sweep"), m_plot}};
}

void LambdaSweepView::clear() {
    m_sweep = LambdaSweep{};
    {
        const QSignalBlocker block(m_token);
        m_token->clear();
        m_token->addItem(tr("all tokens (mean)"), -1);
    }
    m_plot->clearSweep();
    m_plot->setTitle(tr("attention entropy and future share vs λ"));
}

void LambdaSweepView::setSweep(const LambdaSweep& sweep) {
    const int previous = token();
    const bool sameTokens = sweep.tokens == m_sweep.tokens;
    m_sweep = sweep;
    if (!sameTokens) {
        const QSignalBlocker block(m_token);
        m_token->clear();
        m_token->addItem(tr("all tokens (mean)"), -1);
        for (int t = 0; t < sweep.tokenCount(); ++t)
            m_token->addItem(QStringLiteral("%1 '%2'").arg(t).arg(
                                 QString::fromStdString(sweep.tokens[std::size_t(t)])),
                             t);
        m_token->setCurrentIndex(0);
    } else {
        const QSignalBlocker block(m_token);
        m_token->setCurrentIndex(std::max(0, m_token->findData(previous)));
    }
    refresh();
}

void LambdaSweepView::setCurrentLambda(double lambda) {
    m_plot->setCurrentLambda(lambda);
}

void LambdaSweepView::setContext(const QString& context) {
    m_context = context;
    refresh();
}

void LambdaSweepView::setToken(int token) {
    m_token->setCurrentIndex(std::max(0, m_token->findData(token)));
}

int LambdaSweepView::token() const {
    return m_token->currentData().toInt();
}

void LambdaSweepView::refresh() {
    if (m_sweep.lambdas.empty())
        return;
    const int t = token();
    const QString series = t < 0 ? tr("all tokens") : m_token->currentText();
    m_plot->setSweep(m_sweep.lambdas, m_sweep.entropyOf(t), m_sweep.futureShareOf(t),
                     m_sweep.causalEntropyOf(t), series);
    QString title = tr("attention entropy and future share vs λ · %1").arg(series);
    if (!m_context.isEmpty())
        title += QLatin1Char('\n') + QString(m_context).replace(QLatin1Char('\n'),
                                                               QStringLiteral(" · "));
    m_plot->setTitle(title);
}

} // namespace fsllm
