#include "recentfiles.h"

#include <QDir>
#include <QMenu>
#include <QSettings>

namespace fsllm {

RecentFiles::RecentFiles(const QString& settingsKey, QMenu* menu, QObject* parent)
    : QObject(parent), m_key(settingsKey), m_menu(menu) {
    rebuildMenu();
}

QStringList RecentFiles::paths() const {
    return QSettings().value(m_key).toStringList();
}

void RecentFiles::add(const QString& path) {
    const QString clean = QDir::cleanPath(QDir(path).absolutePath());
    QStringList list = paths();
    list.removeAll(clean);
    list.prepend(clean);
    while (list.size() > kMaxEntries)
        list.removeLast();
    save(list);
}

void RecentFiles::clear() {
    save({});
}

void RecentFiles::save(const QStringList& list) {
    QSettings().setValue(m_key, list);
    // Deferred: this may run inside a triggered() of an action the rebuild deletes.
    QMetaObject::invokeMethod(this, &RecentFiles::rebuildMenu, Qt::QueuedConnection);
}

void RecentFiles::rebuildMenu() {
    if (!m_menu)
        return;
    m_menu->clear();
    const QStringList list = paths();
    for (int i = 0; i < list.size(); ++i) {
        const QString path = list[i];
        QAction* action = m_menu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(path));
        connect(action, &QAction::triggered, this, [this, path] { emit chosen(path); });
    }
    if (list.isEmpty()) {
        m_menu->addAction(tr("(none)"))->setEnabled(false);
        return;
    }
    m_menu->addSeparator();
    connect(m_menu->addAction(tr("Clear list")), &QAction::triggered, this, &RecentFiles::clear);
}

} // namespace fsllm
