#include "elidedlabel.h"

#include <QFontMetrics>

namespace fsllm {

ElidedLabel::ElidedLabel(QWidget* parent) : QLabel(parent) {
    setTextFormat(Qt::PlainText);
    setWordWrap(false);
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
}

void ElidedLabel::setFullText(const QString& text) {
    m_fullText = text;
    setToolTip(text);
    updateShown();
    updateGeometry();
}

QString ElidedLabel::shownText() const {
    const int width = contentsRect().width();
    return fontMetrics().elidedText(m_fullText, Qt::ElideMiddle, std::max(width, 1));
}

QSize ElidedLabel::minimumSizeHint() const {
    return QSize(kMinimumWidth, QLabel::minimumSizeHint().height());
}

QSize ElidedLabel::sizeHint() const {
    const QSize base = QLabel::sizeHint();
    return QSize(fontMetrics().horizontalAdvance(m_fullText) + 8, base.height());
}

void ElidedLabel::resizeEvent(QResizeEvent* event) {
    QLabel::resizeEvent(event);
    updateShown();
}

void ElidedLabel::updateShown() {
    QLabel::setText(shownText());
}

} // namespace fsllm
