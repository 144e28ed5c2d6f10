#include "datapreview.h"

#include "backgroundcall.h"
#include "labelset.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <exception>

namespace fsllm {

struct DataPreview::Result {
    int generation = 0;
    QString path;
    QString error;
    int examples = 0;
    QStringList labels;
    TaskKind task = TaskKind::Sequence;
    std::vector<RawExample> first;
};

DataPreview::DataPreview(QWidget* parent) : QWidget(parent) {
    m_summary = new QLabel(tr("No file chosen."));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table = new QTableWidget(0, 2);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_summary);
    layout->addWidget(m_table, 1);
}

int DataPreview::previewRowCount() const {
    return m_table->rowCount();
}

void DataPreview::clear() {
    ++m_generation;
    m_loading = false;
    m_path.clear();
    m_error.clear();
    m_labels.clear();
    m_examples = 0;
    m_table->setRowCount(0);
    m_summary->setStyleSheet(QString());
    m_summary->setTextFormat(Qt::PlainText);
    m_summary->setText(tr("No file chosen."));
}

void DataPreview::showFile(const QString& path, const DataReadOptions& options) {
    clear();
    if (path.isEmpty())
        return;
    m_path = path;
    m_loading = true;
    m_summary->setText(tr("Reading %1…").arg(QFileInfo(path).fileName()));
    const int generation = m_generation;
    BackgroundCall::run(
        this,
        [generation, path, options]() {
            Result result;
            result.generation = generation;
            result.path = path;
            result.task = options.task;
            try {
                const auto examples = DataReader::read(path.toStdString(), options);
                result.examples = int(examples.size());
                const LabelSet labels = LabelSet::fromExamples(examples, options.task);
                for (const auto& name : labels.names())
                    result.labels << QString::fromStdString(name);
                const auto count = std::min<std::size_t>(examples.size(), kPreviewRows);
                result.first.assign(examples.begin(), examples.begin() + long(count));
            } catch (const std::exception& e) {
                result.error = QString::fromUtf8(e.what());
            }
            return result;
        },
        [this](const Result& result) { showResult(result); });
}

void DataPreview::showResult(const Result& result) {
    if (result.generation != m_generation)
        return; // superseded by a newer showFile()
    m_loading = false;
    if (!result.error.isEmpty()) {
        m_error = result.error;
        m_summary->setStyleSheet(QStringLiteral("color: #c0392b;"));
        m_summary->setTextFormat(Qt::PlainText);
        m_summary->setText(tr("Cannot read this file: %1").arg(result.error));
        emit failed(result.path, result.error);
        return;
    }
    m_examples = result.examples;
    m_labels = result.labels;
    const bool token = result.task == TaskKind::Token;
    m_table->setHorizontalHeaderLabels(
        {token ? tr("words") : tr("text"), token ? tr("tags") : tr("label")});
    m_table->setRowCount(int(result.first.size()));
    for (int row = 0; row < int(result.first.size()); ++row) {
        const RawExample& example = result.first[std::size_t(row)];
        QString text, label;
        if (token) {
            QStringList words, tags;
            for (const auto& w : example.words)
                words << QString::fromStdString(w);
            for (const auto& t : example.tags)
                tags << QString::fromStdString(t);
            text = words.join(QLatin1Char(' '));
            label = tags.join(QLatin1Char(' '));
        } else {
            text = QString::fromStdString(example.text);
            label = QString::fromStdString(example.label);
        }
        m_table->setItem(row, 0, new QTableWidgetItem(text));
        m_table->setItem(row, 1, new QTableWidgetItem(label));
        m_table->item(row, 0)->setToolTip(text);
    }
    QString labels = m_labels.mid(0, 30).join(QStringLiteral(", "));
    if (m_labels.size() > 30)
        labels += tr(", … (%1 in all)").arg(m_labels.size());
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setText(tr("<b>%1</b>: %2 examples, %3 labels: %4")
                           .arg(QFileInfo(result.path).fileName().toHtmlEscaped())
                           .arg(m_examples)
                           .arg(m_labels.size())
                           .arg(labels.toHtmlEscaped()));
    emit loaded(result.path, m_examples, m_labels);
}

} // namespace fsllm
