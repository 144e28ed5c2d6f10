#include "classreportview.h"

#include "backgroundcall.h"
#include "confusionmatrixplot.h"
#include "csvsource.h"
#include "exportdialog.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <exception>

namespace fsllm {

namespace {

struct Sources {
    std::vector<PredictionSource> sources;
    std::vector<std::string> labels;
};

struct Loaded {
    std::optional<PredictionReport> report;
    QString error;
};

const QStringList kColumns = {QT_TRANSLATE_NOOP("ClassReportView", "class"),
                              QT_TRANSLATE_NOOP("ClassReportView", "precision"),
                              QT_TRANSLATE_NOOP("ClassReportView", "recall"),
                              QT_TRANSLATE_NOOP("ClassReportView", "F1"),
                              QT_TRANSLATE_NOOP("ClassReportView", "support"),
                              QT_TRANSLATE_NOOP("ClassReportView", "predicted"),
                              QT_TRANSLATE_NOOP("ClassReportView", "correct")};

QString percent(double value) {
    return QString::number(100.0 * value, 'f', 2);
}

} // namespace

ClassReportView::ClassReportView(QWidget* parent) : QWidget(parent) {
    m_source = new QComboBox;
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_source->setToolTip(tr("The best checkpoint's dev predictions, or a file evaluated with "
                            "Run > Evaluate file… or fsllm eval --run RUN --data FILE"));
    auto* exportButton = new QPushButton(tr("Export scores…"));
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Predictions")));
    top->addWidget(m_source);
    top->addWidget(m_summary, 1);
    top->addWidget(exportButton);

    m_table = new QTableWidget(0, int(kColumns.size()));
    QStringList headers;
    for (const QString& column : kColumns)
        headers << tr(column.toUtf8().constData());
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAlternatingRowColors(true);
    m_plot = new ConfusionMatrixPlot;
    m_plot->setMinimumSize(220, 160);
    ExportDialog::installContextMenu(m_plot, tr("Confusion matrix"));

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_table);
    split->addWidget(m_plot);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(split, 1);

    connect(m_source, qOverload<int>(&QComboBox::activated), this, &ClassReportView::loadSource);
    connect(exportButton, &QPushButton::clicked, this, &ClassReportView::chooseExport);
    showMessage(tr("Select a run to see its per-class scores."), false);
}

void ClassReportView::setRun(const QString& runDir, const QString& devFile,
                             const QString& showDataFile) {
    ++m_generation;
    const QString absolute = runDir.isEmpty() ? QString() : QDir(runDir).absolutePath();
    // The same run again (a reread): keep the predictions asked for or shown, not dev.
    QString wanted = QFileInfo(showDataFile).fileName();
    if (wanted.isEmpty() && !absolute.isEmpty() && absolute == m_runDir)
        wanted = !m_wantedSource.isEmpty() ? m_wantedSource
                 : m_source->currentIndex() > 0 ? m_source->currentText()
                                                : QString();
    m_wantedSource = wanted;
    m_runDir = absolute;
    m_sources.clear();
    m_labels.clear();
    m_source->clear();
    if (m_runDir.isEmpty()) {
        showMessage(tr("Select a run to see its per-class scores."), false);
        return;
    }
    ++m_pending;
    showMessage(tr("Reading %1…").arg(QFileInfo(m_runDir).fileName()), false);
    BackgroundCall::run(
        this,
        [dir = m_runDir.toStdString(), dev = devFile.toStdString()]() {
            Sources found;
            try {
                found.sources = PredictionReport::sources(dir, dev);
                found.labels = PredictionReport::runLabels(dir);
            } catch (const std::exception&) {
                // a folder that cannot be listed has no sources
            }
            return found;
        },
        [this, generation = m_generation, shown = wanted](const Sources& found) {
            --m_pending;
            if (generation != m_generation)
                return;
            m_wantedSource.clear();
            m_sources = found.sources;
            m_labels = found.labels;
            for (const PredictionSource& source : m_sources)
                m_source->addItem(QString::fromStdString(source.name));
            if (m_sources.empty()) {
                showMessage(tr("%1 has no predictions yet: dev predictions appear with the first "
                               "best checkpoint; other files with Run > Evaluate file… or "
                               "fsllm eval --run %2 --data FILE")
                                .arg(QFileInfo(m_runDir).fileName(), m_runDir),
                            false);
                return;
            }
            int index = 0;
            for (std::size_t i = 0; i < m_sources.size() && !shown.isEmpty(); ++i)
                if (QString::fromStdString(m_sources[i].name) == shown)
                    index = int(i); // the last match: evaluations are listed after dev
            m_source->setCurrentIndex(index);
            loadSource(index);
        });
}

QStringList ClassReportView::sourceNames() const {
    QStringList names;
    for (const PredictionSource& source : m_sources)
        names << QString::fromStdString(source.name);
    return names;
}

int ClassReportView::currentSource() const {
    return m_source->currentIndex();
}

void ClassReportView::setSource(int index) {
    if (index < 0 || index >= int(m_sources.size()))
        return;
    m_source->setCurrentIndex(index);
    loadSource(index);
}

void ClassReportView::loadSource(int index) {
    if (index < 0 || index >= int(m_sources.size()))
        return;
    ++m_generation;
    ++m_pending;
    BackgroundCall::run(
        this,
        [path = m_sources[size_t(index)].path, labels = m_labels]() {
            Loaded loaded;
            try {
                loaded.report = PredictionReport::read(path, labels);
            } catch (const std::exception& e) {
                loaded.error = QString::fromUtf8(e.what());
            }
            return loaded;
        },
        [this, generation = m_generation](const Loaded& loaded) {
            --m_pending;
            if (generation != m_generation)
                return;
            if (loaded.report)
                showReport(*loaded.report);
            else
                showMessage(loaded.error, true);
        });
}

QString ClassReportView::caption() const {
    const int index = m_source->currentIndex();
    if (!m_report || index < 0 || index >= int(m_sources.size()))
        return {};
    const PredictionSource& source = m_sources[size_t(index)];
    const QString file = QFileInfo(QString::fromStdString(source.dataFile)).fileName();
    const QString name = QString::fromStdString(source.name);
    return file.isEmpty() || file == name
               ? tr("%1 on %2").arg(QFileInfo(m_runDir).fileName(), name)
               : tr("%1 on %2 (%3)").arg(QFileInfo(m_runDir).fileName(), name, file);
}

QString ClassReportView::message() const {
    return m_message;
}

void ClassReportView::showReport(const PredictionReport& report) {
    m_report = report;
    m_message.clear();
    const auto& rows = report.rows();
    m_table->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        const ClassScores& s = rows[size_t(r)];
        const QStringList cells = {QString::fromStdString(s.label), percent(s.precision),
                                   percent(s.recall),     percent(s.f1),
                                   QString::number(s.support), QString::number(s.predicted),
                                   QString::number(s.correct)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(r, c, item);
        }
    }
    m_table->horizontalHeaderItem(0)->setText(report.entityLevel ? tr("entity type")
                                              : report.task == TaskKind::Token ? tr("tag")
                                                                               : tr("class"));
    const ClassificationMetrics& c = report.classification;
    QString summary =
        report.entityLevel
            ? tr("%1 sentences · entities P %2 R %3 F1 %4 (%5 gold, %6 predicted, %7 correct) · "
                 "token accuracy %8")
                  .arg(report.examples)
                  .arg(percent(report.entities.precision), percent(report.entities.recall),
                       percent(report.entities.f1))
                  .arg(report.entities.goldChunks)
                  .arg(report.entities.predictedChunks)
                  .arg(report.entities.correctChunks)
                  .arg(percent(report.entities.tokenAccuracy))
            : tr("%1 %2 · accuracy %3 · macro P %4 R %5 F1 %6")
                  .arg(c.total)
                  .arg(report.task == TaskKind::Token ? tr("words") : tr("examples"))
                  .arg(percent(c.accuracy), percent(c.macroPrecision), percent(c.macroRecall),
                       percent(c.macroF1));
    m_summary->setStyleSheet(QString());
    m_summary->setText(summary);
    QStringList labels;
    for (const std::string& label : report.labels)
        labels << QString::fromStdString(label);
    QVector<QVector<int>> counts;
    for (const auto& row : c.confusion)
        counts << QVector<int>(row.begin(), row.end());
    m_plot->setMatrix(labels, counts);
    m_plot->setTitle(tr("Confusion matrix: %1").arg(caption()));
    emit loaded();
}

void ClassReportView::showMessage(const QString& text, bool isError) {
    m_report.reset();
    m_message = text;
    m_table->setRowCount(0);
    m_summary->setText(text);
    m_summary->setStyleSheet(isError ? QStringLiteral("color: #c0392b;") : QString());
    m_plot->clearMatrix();
    m_plot->setTitle(tr("Confusion matrix"));
    emit loaded();
}

QString ClassReportView::scoresCsv() const {
    QString csv = QStringLiteral("run,file,%1,precision,recall,f1,support,predicted,correct\n")
                      .arg(m_report && m_report->entityLevel ? QStringLiteral("entity_type")
                                                             : QStringLiteral("class"));
    if (!m_report)
        return csv;
    const int index = m_source->currentIndex();
    const QString run = QFileInfo(m_runDir).fileName();
    const QString file = index >= 0 && index < int(m_sources.size())
                             ? QString::fromStdString(m_sources[size_t(index)].dataFile.empty()
                                                          ? m_sources[size_t(index)].name
                                                          : m_sources[size_t(index)].dataFile)
                             : QString();
    for (const ClassScores& s : m_report->rows())
        csv += CsvSource::csvField(run) + QLatin1Char(',') + CsvSource::csvField(file) +
               QLatin1Char(',') + CsvSource::csvField(QString::fromStdString(s.label)) +
               QLatin1Char(',') + CsvSource::csvNumber(s.precision) + QLatin1Char(',') +
               CsvSource::csvNumber(s.recall) + QLatin1Char(',') + CsvSource::csvNumber(s.f1) +
               QLatin1Char(',') + QString::number(s.support) + QLatin1Char(',') +
               QString::number(s.predicted) + QLatin1Char(',') + QString::number(s.correct) +
               QLatin1Char('\n');
    return csv;
}

QString ClassReportView::scoresMarkdown() const {
    QString md = tr("Per-class scores: %1").arg(caption()) + QStringLiteral("\n\n");
    md += QStringLiteral("| %1 | P | R | F1 | support | predicted | correct |\n")
              .arg(m_table->horizontalHeaderItem(0)->text());
    md += QStringLiteral("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    if (!m_report)
        return md;
    for (const ClassScores& s : m_report->rows()) {
        QString label = QString::fromStdString(s.label);
        label.replace(QLatin1Char('|'), QLatin1String("\\|"));
        md += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 |\n")
                  .arg(label, percent(s.precision), percent(s.recall), percent(s.f1))
                  .arg(s.support)
                  .arg(s.predicted)
                  .arg(s.correct);
    }
    return md;
}

bool ClassReportView::exportScores(const QString& path, QString* error) const {
    if (!m_report) {
        if (error)
            *error = tr("no per-class scores to export: select a run with predictions");
        return false;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QString text = suffix == QLatin1String("md") ? scoresMarkdown() : scoresCsv();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void ClassReportView::chooseExport() {
    const QString stem = ExportDialog::fileStem(caption().isEmpty() ? QStringLiteral("scores")
                                                                    : caption());
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export per-class scores"), QDir(m_runDir).filePath(stem + ".csv"),
        tr("CSV (*.csv);;Markdown (*.md)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportScores(path, &error))
        QMessageBox::warning(this, tr("Export failed"), error);
}

} // namespace fsllm
