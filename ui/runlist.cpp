#include "runlist.h"

#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QPixmap>

namespace fsllm {

RunList::RunList(QWidget* parent) : QListWidget(parent) {
    setSelectionMode(QAbstractItemView::SingleSelection);
    setContextMenuPolicy(Qt::CustomContextMenu);
}

QString RunList::runDir(const QListWidgetItem* item) {
    return item ? item->data(Qt::UserRole).toString() : QString();
}

QListWidgetItem* RunList::itemFor(const QString& runDir) const {
    const QString clean = QDir(runDir).absolutePath();
    for (int i = 0; i < count(); ++i)
        if (RunList::runDir(item(i)) == clean)
            return item(i);
    return nullptr;
}

QListWidgetItem* RunList::addRun(const QString& runDir) {
    auto* entry = new QListWidgetItem(this);
    entry->setData(Qt::UserRole, QDir(runDir).absolutePath());
    entry->setFlags(entry->flags() | Qt::ItemIsUserCheckable);
    entry->setCheckState(Qt::Unchecked);
    return entry;
}

QStringList RunList::runDirs() const {
    QStringList dirs;
    for (int i = 0; i < count(); ++i)
        dirs << runDir(item(i));
    return dirs;
}

QStringList RunList::checkedRunDirs() const {
    QStringList dirs;
    for (int i = 0; i < count(); ++i)
        if (item(i)->checkState() == Qt::Checked)
            dirs << runDir(item(i));
    return dirs;
}

QStringList RunList::shownRunDirs() const {
    QStringList dirs;
    for (int i = 0; i < count(); ++i)
        if (!item(i)->isHidden())
            dirs << runDir(item(i));
    return dirs;
}

QString RunList::selectedRunDir() const {
    return runDir(currentItem());
}

void RunList::selectRun(const QString& runDir) {
    if (QListWidgetItem* entry = itemFor(runDir))
        setCurrentItem(entry);
}

bool RunList::isShownAndChecked(const QString& runDir) const {
    const QListWidgetItem* entry = itemFor(runDir);
    return entry && !entry->isHidden() && entry->checkState() == Qt::Checked;
}

void RunList::setChecked(const QString& runDir, bool checked) {
    if (QListWidgetItem* entry = itemFor(runDir))
        entry->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

void RunList::setAllChecked(bool checked) {
    const QSignalBlocker blocker(this);
    for (int i = 0; i < count(); ++i)
        item(i)->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
}

void RunList::describe(QListWidgetItem* item, const RunStatus& status, const QStringList& tags) {
    const QString dir = runDir(item);
    QString text = QStringLiteral("%1  (%2)").arg(QFileInfo(dir).fileName(),
                                                  RunStatus::name(status.state));
    if (!tags.isEmpty())
        text += QStringLiteral("  [%1]").arg(tags.join(QStringLiteral(", ")));
    item->setText(text);
    item->setForeground(status.state == RunState::Failed ? QColor(0xc0, 0x39, 0x2b) : QColor());
    item->setToolTip(status.detail.isEmpty() ? dir : dir + QLatin1Char('\n') + status.detail);
}

void RunList::setSwatch(QListWidgetItem* item, const QColor& color) {
    if (!color.isValid()) {
        item->setIcon(QIcon());
        return;
    }
    QPixmap swatch(12, 12);
    swatch.fill(color);
    item->setIcon(QIcon(swatch));
}

void RunList::applyFilter(const QString& filter,
                          const std::function<QString(const QString& runDir)>& moreText) {
    // Every word must occur in the run's label (name, status, tags) or in moreText.
    const QStringList words = filter.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QSignalBlocker blocker(this);
    for (int i = 0; i < count(); ++i) {
        QListWidgetItem* entry = item(i);
        const QString haystack = entry->text() + QLatin1Char(' ') + moreText(runDir(entry));
        bool shown = true;
        for (const QString& word : words)
            shown = shown && haystack.contains(word, Qt::CaseInsensitive);
        entry->setHidden(!shown);
    }
}

} // namespace fsllm
