#include "runcomparisonview.h"

#include "attentioncomparison.h"
#include "attentionheatmap.h"
#include "backgroundcall.h"
#include "runenginecache.h"
#include "tokenstrip.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>

namespace fsllm {

RunComparisonView::RunComparisonView(QWidget* parent)
    : QWidget(parent),
      m_current(std::make_shared<std::atomic<quint64>>(0)),
      m_engines(std::make_shared<RunEngineCache>()) {
    m_list = new QListWidget;
    m_list->setMaximumHeight(90);
    m_list->setToolTip(tr("Run or adapter folders trained on this model"));
    auto* add = new QPushButton(tr("Add run…"));
    m_remove = new QPushButton(tr("Remove"));
    m_compare = new QPushButton(tr("Compare"));
    m_status = new QLabel;
    m_status->setWordWrap(true);
    connect(add, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Run or adapter folder"));
        if (!dir.isEmpty())
            addRun(dir);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem* item = m_list->currentItem())
            removeRun(item->data(Qt::UserRole).toString());
    });
    connect(m_compare, &QPushButton::clicked, this, &RunComparisonView::compare);
    connect(m_list, &QListWidget::currentRowChanged, this, &RunComparisonView::updateButtons);

    auto* buttons = new QVBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(m_remove);
    buttons->addWidget(m_compare);
    buttons->addStretch(1);
    auto* top = new QHBoxLayout;
    top->addWidget(m_list, 1);
    top->addLayout(buttons);

    auto* host = new QWidget;
    m_columnsLayout = new QHBoxLayout(host);
    m_columnsLayout->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea;
    scroll->setWidget(host);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(scroll, 1);
    updateButtons();
}

RunComparisonView::~RunComparisonView() {
    m_current->fetch_add(1); // a running comparison stops at its next check
    m_engines->close();      // its engines go when it ends; the cached ones now
}

void RunComparisonView::addRun(const QString& runDir) {
    if (runDir.isEmpty() || runs().contains(runDir))
        return;
    auto* item = new QListWidgetItem(QFileInfo(runDir).fileName());
    item->setData(Qt::UserRole, runDir);
    item->setToolTip(runDir);
    m_list->addItem(item);
    updateButtons();
}

void RunComparisonView::removeRun(const QString& runDir) {
    for (int row = 0; row < m_list->count(); ++row)
        if (m_list->item(row)->data(Qt::UserRole).toString() == runDir)
            delete m_list->takeItem(row--);
    m_engines->release(runDir);
    updateButtons();
}

QStringList RunComparisonView::runs() const {
    QStringList dirs;
    for (int row = 0; row < m_list->count(); ++row)
        dirs << m_list->item(row)->data(Qt::UserRole).toString();
    return dirs;
}

bool RunComparisonView::canCompare() const {
    return m_list->count() >= RunComparison::kMinRuns && !m_modelDir.isEmpty() &&
           !m_text.trimmed().isEmpty();
}

void RunComparisonView::updateButtons() {
    m_compare->setEnabled(canCompare());
    m_remove->setEnabled(m_list->currentItem() != nullptr);
    if (!m_busy)
        m_status->setText(m_list->count() < RunComparison::kMinRuns
                              ? tr("Add two or more runs trained on this model (e.g. a causal "
                                   "run and a decay run) to compare them on the sentence.")
                              : m_text.trimmed().isEmpty() ? tr("Type a sentence to compare on.")
                                                           : QString());
}

void RunComparisonView::setInput(const QString& modelDir, const QString& text) {
    if (modelDir == m_modelDir && text == m_text)
        return;
    if (modelDir != m_modelDir)
        m_engines->keepOnlyModel(modelDir); // another model: the old engines are of no use
    m_modelDir = modelDir;
    m_text = text;
    m_current->fetch_add(1); // drop the running comparison: it is of the old input
    m_busy = false;
    clearColumns();
    updateButtons();
    if (m_autoCompare && canCompare())
        compare();
}

void RunComparisonView::compare() {
    if (!canCompare())
        return;
    m_autoCompare = true;
    const quint64 id = m_current->fetch_add(1) + 1;
    m_busy = true;
    m_status->setText(tr("Comparing %1 runs…").arg(m_list->count()));
    auto current = m_current;
    const QString model = m_modelDir, text = m_text;
    const QStringList dirs = runs();
    const int steps = m_steps;
    BackgroundCall::run(
        this,
        [=, engines = m_engines] {
            return RunComparison::compute(
                id, model, dirs, text, steps, [current, id] { return current->load() != id; },
                engines.get());
        },
        [this](const RunComparisonResult& result) {
            if (result.cancelled || result.id != m_current->load())
                return; // superseded
            m_busy = false;
            showResult(result);
            emit compared();
        });
}

void RunComparisonView::clearColumns() {
    for (Column& column : m_columns)
        delete column.box;
    m_columns.clear();
}

void RunComparisonView::showResult(const RunComparisonResult& result) {
    clearColumns();
    double scale = 0.0;
    for (const RunColumn& c : result.columns)
        scale = std::max(scale, TokenStrip::maxAbs(c.attribution.integratedGradients));
    for (const RunColumn& c : result.columns) {
        Column column;
        column.box = new QWidget;
        auto* layout = new QVBoxLayout(column.box);
        layout->setContentsMargins(2, 2, 2, 2);
        column.headline = new QLabel;
        column.headline->setWordWrap(true);
        column.headline->setTextFormat(Qt::RichText);
        column.heatmap = new AttentionHeatmap;
        column.heatmap->setMinimumSize(220, 220);
        column.strip = new QLabel;
        column.strip->setWordWrap(true);
        column.strip->setTextFormat(Qt::RichText);
        layout->addWidget(column.headline);
        layout->addWidget(column.heatmap, 1);
        layout->addWidget(column.strip);
        const QString run = QFileInfo(c.runDir).fileName().toHtmlEscaped();
        if (!c.error.isEmpty()) {
            column.headline->setText(tr("<b>%1</b><br><span style=\"color:#c0392b\">%2</span>")
                                         .arg(run, c.error.toHtmlEscaped()));
        } else {
            const InspectResult& p = c.prediction;
            QString prediction = tr("token tagging");
            if (p.hasPrediction && p.task == TaskKind::Sequence && !p.probabilities.empty()) {
                const auto best = std::max_element(p.probabilities.begin(), p.probabilities.end());
                const std::size_t index = std::size_t(best - p.probabilities.begin());
                prediction = tr("predicts <b>%1</b> (p = %2)")
                                 .arg(QString::fromStdString(p.labels.at(index)).toHtmlEscaped())
                                 .arg(double(*best), 0, 'f', 3);
            }
            column.headline->setText(tr("<b>%1</b> · trained with %2<br>%3")
                                         .arg(run, AttentionComparison::maskTitle(p.mask),
                                              prediction));
            QStringList tokens;
            for (const auto& piece : p.tokens)
                tokens << QString::fromStdString(piece);
            const int last = p.layers - 1;
            column.heatmap->setMatrix(
                AttentionComparison::headMatrix(p, last, AttentionComparison::kMeanHead), tokens);
            column.heatmap->setTitle(tr("%1 · layer %2 · mean of heads\nadapter %3")
                                         .arg(AttentionComparison::maskTitle(p.mask))
                                         .arg(last)
                                         .arg(QFileInfo(c.runDir).fileName()));
            if (!c.attribution.integratedGradients.empty()) {
                QStringList attributed;
                for (const auto& piece : c.attribution.tokens)
                    attributed << QString::fromStdString(piece);
                const AttributionResult& a = c.attribution;
                const QString target =
                    a.tokenIndex >= 0 && a.tokenIndex < attributed.size()
                        ? tr(" of token %1 “%2”'s tag %3")
                              .arg(a.tokenIndex)
                              .arg(attributed[a.tokenIndex].toHtmlEscaped(),
                                   QString::fromStdString(a.label).toHtmlEscaped())
                        : QString();
                column.strip->setText(
                    tr("integrated gradients%1 (%2 steps):<br>").arg(target).arg(a.steps) +
                    TokenStrip::html(attributed, a.integratedGradients, scale));
            }
        }
        m_columnsLayout->addWidget(column.box, 1);
        m_columns.push_back(column);
    }
    m_status->setText(tr("%1 runs compared in %2 s on \"%3\"")
                          .arg(result.columns.size())
                          .arg(result.milliseconds / 1000.0, 0, 'f', 1)
                          .arg(result.text));
}

QString RunComparisonView::columnHeadline(int column) const {
    return column >= 0 && column < columnCount() ? m_columns[std::size_t(column)].headline->text()
                                                 : QString();
}

AttentionHeatmap* RunComparisonView::columnHeatmap(int column) const {
    return column >= 0 && column < columnCount() ? m_columns[std::size_t(column)].heatmap
                                                 : nullptr;
}

QString RunComparisonView::columnStrip(int column) const {
    return column >= 0 && column < columnCount() ? m_columns[std::size_t(column)].strip->text()
                                                 : QString();
}

QString RunComparisonView::statusText() const {
    return m_status->text();
}

} // namespace fsllm
