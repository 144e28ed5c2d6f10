// A path entry: a line edit with a "Browse…" button that opens a file or folder dialog, and that
// accepts a dropped file or folder. pathChanged() fires when the user finishes editing, picks a
// path or drops one (not for setPath()).
// Thread-safety: GUI thread only.
#pragma once

#include <QWidget>

class QLineEdit;
class QPushButton;

namespace fsllm {

class PathField : public QWidget {
    Q_OBJECT

public:
    enum class Kind { OpenFile, Folder };

    PathField(Kind kind, const QString& dialogTitle, QWidget* parent = nullptr);

    QString path() const;
    void setPath(const QString& path); // no signal
    void setPlaceholderText(const QString& text);
    void setFileFilter(const QString& filter) { m_filter = filter; }
    QLineEdit* lineEdit() const { return m_edit; }

signals:
    void pathChanged(const QString& path);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void browse();
    void commit(const QString& path);

    Kind m_kind;
    QString m_title;
    QString m_filter;
    QString m_lastEmitted;
    QLineEdit* m_edit;
    QPushButton* m_button;
};

} // namespace fsllm
