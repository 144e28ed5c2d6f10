// A one-line label that never widens its window: text too long for its width is elided in the
// middle ("…"), the whole text is its tooltip, and its minimum width is small. For status lines
// whose text (paths, label lists) can be arbitrarily long. Thread-safety: GUI thread only.
#pragma once

#include <QLabel>

namespace fsllm {

class ElidedLabel : public QLabel {
    Q_OBJECT

public:
    static constexpr int kMinimumWidth = 60;

    explicit ElidedLabel(QWidget* parent = nullptr);

    void setFullText(const QString& text);
    QString fullText() const { return m_fullText; }
    QString shownText() const; // as elided for the current width
    bool isElided() const { return shownText() != m_fullText; }

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateShown();

    QString m_fullText;
};

} // namespace fsllm
