#include "logpanel.h"

#include <QFontDatabase>
#include <QScrollBar>

namespace fsllm {

LogPanel::LogPanel(QWidget* parent) : QPlainTextEdit(parent) {
    setReadOnly(true);
    setMaximumBlockCount(kMaxLines);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setPlaceholderText(tr("Log messages of the engine and the studio appear here."));
}

void LogPanel::appendLine(const QString& level, const QString& text) {
    QString color;
    if (level == QLatin1String("warning"))
        color = QStringLiteral("#b36b00");
    else if (level == QLatin1String("error") || level == QLatin1String("critical"))
        color = QStringLiteral("#c0392b");
    QScrollBar* bar = verticalScrollBar();
    const bool atEnd = bar->value() == bar->maximum();
    if (color.isEmpty())
        appendPlainText(text);
    else
        appendHtml(
            QStringLiteral("<span style=\"color:%1\">%2</span>").arg(color, text.toHtmlEscaped()));
    if (atEnd)
        bar->setValue(bar->maximum());
}

} // namespace fsllm
