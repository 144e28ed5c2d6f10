// The status-bar indicator of a model being opened: a progress bar (busy until the first byte
// count arrives, then the share of weight bytes placed, "3.1 / 12.6 GiB") and a Cancel button.
// Hidden while no model is opening. Thread-safety: GUI thread only.
#pragma once

#include <QWidget>

class QProgressBar;
class QToolButton;

namespace fsllm {

class ModelLoadIndicator : public QWidget {
    Q_OBJECT

public:
    explicit ModelLoadIndicator(QWidget* parent = nullptr);

    void start();                                        // shows it, busy
    void setProgress(qint64 bytesDone, qint64 bytesTotal); // bytes of weights placed
    void finish();                                       // hides it

    int permille() const; // 0..1000 of the bytes placed; -1 while busy or hidden
    QString progressText() const;

signals:
    void cancelRequested();

private:
    QProgressBar* m_bar;
    QToolButton* m_cancel;
};

} // namespace fsllm
