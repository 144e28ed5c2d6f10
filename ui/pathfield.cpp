#include "pathfield.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>

namespace fsllm {

PathField::PathField(Kind kind, const QString& dialogTitle, QWidget* parent)
    : QWidget(parent), m_kind(kind), m_title(dialogTitle) {
    m_edit = new QLineEdit;
    m_edit->setClearButtonEnabled(true);
    m_button = new QPushButton(tr("Browse…"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_button);
    setAcceptDrops(true);
    connect(m_button, &QPushButton::clicked, this, &PathField::browse);
    connect(m_edit, &QLineEdit::editingFinished, this,
            [this] { commit(m_edit->text().trimmed()); });
}

QString PathField::path() const {
    return m_edit->text().trimmed();
}

void PathField::setPath(const QString& path) {
    m_edit->setText(path);
    m_lastEmitted = path;
}

void PathField::setPlaceholderText(const QString& text) {
    m_edit->setPlaceholderText(text);
}

void PathField::commit(const QString& path) {
    m_edit->setText(path);
    if (path == m_lastEmitted)
        return;
    m_lastEmitted = path;
    emit pathChanged(path);
}

void PathField::browse() {
    const QString start = path().isEmpty() ? QString() : QFileInfo(path()).absolutePath();
    const QString chosen =
        m_kind == Kind::Folder
            ? QFileDialog::getExistingDirectory(this, m_title, path().isEmpty() ? start : path())
            : QFileDialog::getOpenFileName(this, m_title, start, m_filter);
    if (!chosen.isEmpty())
        commit(chosen);
}

void PathField::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile()) {
        const QFileInfo info(urls.first().toLocalFile());
        if (m_kind == Kind::Folder ? info.isDir() : info.isFile())
            event->acceptProposedAction();
    }
}

void PathField::dropEvent(QDropEvent* event) {
    commit(event->mimeData()->urls().first().toLocalFile());
    event->acceptProposedAction();
}

} // namespace fsllm
