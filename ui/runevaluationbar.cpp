#include "runevaluationbar.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace fsllm {

namespace {

QString percent(double fraction) {
    return QString::number(100.0 * fraction, 'f', 2);
}

} // namespace

RunEvaluationBar::RunEvaluationBar(QWidget* parent)
    : QWidget(parent), m_evaluation(new FileEvaluation(this)) {
    m_text = new QLabel;
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bar = new QProgressBar;
    m_bar->setMaximumWidth(180);
    m_bar->setTextVisible(false);
    m_button = new QPushButton(tr("Cancel"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_bar);
    layout->addWidget(m_button);
    connect(m_button, &QPushButton::clicked, this, [this] {
        if (m_evaluation->isRunning())
            cancel();
        else
            hide();
    });
    connect(m_evaluation, &FileEvaluation::progressed, this, &RunEvaluationBar::onProgress);
    connect(m_evaluation, &FileEvaluation::finished, this, &RunEvaluationBar::onFinished);
    hide();
}

bool RunEvaluationBar::evaluate(const QString& runDir, const QString& dataFile, QString* error) {
    if (!m_evaluation->start(runDir, dataFile, error))
        return false;
    m_button->setText(tr("Cancel"));
    m_button->setEnabled(true);
    m_button->setToolTip(tr("Stop the evaluation; nothing is kept"));
    m_bar->show();
    show();
    return true;
}

void RunEvaluationBar::cancel() {
    if (!m_evaluation->isRunning())
        return;
    m_evaluation->cancel();
    m_button->setEnabled(false);
    setText(tr("Cancelling the evaluation of %1…")
                .arg(QFileInfo(m_evaluation->dataFile()).fileName()),
            false);
}

QString RunEvaluationBar::text() const {
    return m_text->text();
}

void RunEvaluationBar::setText(const QString& text, bool error) {
    m_error = error;
    m_text->setStyleSheet(error ? QStringLiteral("color: #c0392b;") : QString());
    m_text->setText(text);
    m_text->setToolTip(text);
}

void RunEvaluationBar::onProgress(int done, int total) {
    if (m_evaluation->isCancelling())
        return;
    const QString file = QFileInfo(m_evaluation->dataFile()).fileName();
    const QString run = QFileInfo(m_evaluation->runDir()).fileName();
    if (total <= 0) {
        m_bar->setRange(0, 0); // busy
        setText(tr("Evaluating %1 with %2: opening the run and reading the file…").arg(file, run),
                false);
        return;
    }
    m_bar->setRange(0, total);
    m_bar->setValue(done);
    setText(tr("Evaluating %1 with %2: %3 of %4 examples").arg(file, run).arg(done).arg(total),
            false);
}

void RunEvaluationBar::onFinished(const FileEvaluationResult& result) {
    const QString file = QFileInfo(result.dataFile).fileName();
    const QString run = QFileInfo(result.runDir).fileName();
    m_bar->hide();
    m_button->setText(tr("Close"));
    m_button->setEnabled(true);
    m_button->setToolTip(QString());
    if (!result.error.isEmpty()) {
        setText(tr("Could not evaluate %1 with %2: %3").arg(file, run, result.error), true);
    } else if (result.cancelled) {
        setText(tr("Evaluation of %1 with %2 cancelled; nothing was kept.").arg(file, run),
                false);
    } else if (!result.keepProblem.isEmpty()) {
        setText(tr("%1 with %2: accuracy %3 %, F1 %4 % (%5 examples), but %6")
                    .arg(file, run, percent(result.accuracy), percent(result.f1))
                    .arg(result.examples)
                    .arg(result.keepProblem),
                true);
    } else {
        setText(tr("%1 with %2: accuracy %3 %, F1 %4 % (%5 examples); per-class scores below")
                    .arg(file, run, percent(result.accuracy), percent(result.f1))
                    .arg(result.examples),
                false);
    }
    emit finished(result);
    if (result.succeeded() && result.keepProblem.isEmpty())
        emit evaluated(result.runDir, result.dataFile);
}

} // namespace fsllm
