// The Runs tab's list of runs: one checkable item per run folder (its absolute path in
// Qt::UserRole), labelled "name  (status)  [tags]" (failed runs in red, the status detail in the
// tooltip), a colour swatch for runs shown in the plots, and a filter that hides runs missing any
// of its words. Lookups by run folder accept any spelling of the path.
// Thread-safety: GUI thread only.
#pragma once

#include "runstatus.h"

#include <QListWidget>

#include <functional>

namespace fsllm {

class RunList : public QListWidget {
    Q_OBJECT

public:
    explicit RunList(QWidget* parent = nullptr);

    QListWidgetItem* itemFor(const QString& runDir) const; // null when not listed
    QListWidgetItem* addRun(const QString& runDir);         // a new, unchecked item
    static QString runDir(const QListWidgetItem* item);

    QStringList runDirs() const;
    QStringList checkedRunDirs() const;
    QStringList shownRunDirs() const;
    QString selectedRunDir() const; // "" when none
    void selectRun(const QString& runDir);
    bool isShownAndChecked(const QString& runDir) const;
    void setChecked(const QString& runDir, bool checked);
    void setAllChecked(bool checked); // without itemChanged signals

    static void describe(QListWidgetItem* item, const RunStatus& status, const QStringList& tags);
    static void setSwatch(QListWidgetItem* item, const QColor& color); // invalid: none
    // Hides the items where a word of `filter` (case-insensitive) is missing from the label and
    // from `moreText(runDir)` (tags, mask). Without itemChanged signals.
    void applyFilter(const QString& filter,
                     const std::function<QString(const QString& runDir)>& moreText);
};

} // namespace fsllm
