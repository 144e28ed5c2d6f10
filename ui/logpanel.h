// The log dock's contents: a read-only text view that appends log lines (from QtLogSink's queued
// signal), warnings in amber and errors in red, keeping the last kMaxLines lines.
// Thread-safety: GUI thread only (a QWidget).
#pragma once

#include <QPlainTextEdit>

namespace fsllm {

class LogPanel : public QPlainTextEdit {
    Q_OBJECT

public:
    static constexpr int kMaxLines = 5000;

    explicit LogPanel(QWidget* parent = nullptr);

    int lineCount() const { return blockCount(); }

public slots:
    void appendLine(const QString& level, const QString& text);
};

} // namespace fsllm
