// The "recent models" list: most recent first, at most kMaxEntries, kept in QSettings under one
// key, shown as a menu whose actions emit chosen(path).
// Thread-safety: GUI thread only.
#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace fsllm {

class RecentFiles : public QObject {
    Q_OBJECT

public:
    static constexpr int kMaxEntries = 8;

    RecentFiles(const QString& settingsKey, QMenu* menu, QObject* parent = nullptr);

    void add(const QString& path); // moves it to the front; saves; rebuilds the menu
    void clear();
    QStringList paths() const;

signals:
    void chosen(const QString& path);

private:
    void save(const QStringList& paths);
    void rebuildMenu();

    QString m_key;
    QMenu* m_menu;
};

} // namespace fsllm
