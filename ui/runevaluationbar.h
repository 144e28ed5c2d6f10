// The Runs tab's strip for "Evaluate file…": while a FileEvaluation runs it shows what is
// evaluated with which run, a progress bar (busy while the run opens and the file is read, then
// examples scored) and Cancel; afterwards the outcome (scores and where they were kept, the
// engine's error in red, or that it was cancelled) until closed. Hidden when idle.
// Thread-safety: GUI thread only.
#pragma once

#include "fileevaluation.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace fsllm {

class RunEvaluationBar : public QWidget {
    Q_OBJECT

public:
    explicit RunEvaluationBar(QWidget* parent = nullptr);

    // Starts evaluating; false + `error` (one line) while another evaluation runs.
    bool evaluate(const QString& runDir, const QString& dataFile, QString* error);
    void cancel();
    bool isRunning() const { return m_evaluation->isRunning(); }
    FileEvaluation* evaluation() const { return m_evaluation; }
    QString text() const;      // what the strip says now
    bool showsError() const { return m_error; }
    QProgressBar* progressBar() const { return m_bar; }
    QPushButton* cancelButton() const { return m_button; }

signals:
    // The evaluation succeeded and its result is kept in RUN/evaluations/.
    void evaluated(const QString& runDir, const QString& dataFile);
    void finished(const fsllm::FileEvaluationResult& result); // every outcome

private:
    void onProgress(int done, int total);
    void onFinished(const FileEvaluationResult& result);
    void setText(const QString& text, bool error);

    FileEvaluation* m_evaluation;
    QLabel* m_text;
    QProgressBar* m_bar;
    QPushButton* m_button; // Cancel while running, Close afterwards
    bool m_error = false;
};

} // namespace fsllm
