// What the Runs tab does to a run folder on disk: move it to the desktop trash (the freedesktop.org
// trash of the user's data folder, QFile::moveToTrash) or delete it for good, rename it
// atomically (run.json's paths into the folder follow it), and set its tags (RunTags' sidecar
// tags.json; tagging never rewrites run.json). A run
// that is running (a job holds its lock, RunLockProbe) is refused with a message naming it; the
// lock is then taken (RunLock) for the time of the change, so no job can start in the folder
// meanwhile. Every failure returns false with one line in `error`.
// Thread-safety: reentrant; call from the GUI thread (the changes are quick renames).
#pragma once

#include <QString>
#include <QStringList>

namespace fsllm {

class RunFolderActions {
public:
    // Moves `runDir` to the trash (`trashed`: where it went); `permanently`: deletes it instead
    // (QDir::removeRecursively).
    static bool remove(const QString& runDir, bool permanently, QString* error,
                       QString* trashed = nullptr);
    // Renames the folder to `newName` in the same parent (renameat2 RENAME_NOREPLACE: never
    // replaces an existing folder, even one created meanwhile). `newDir` gets the new path.
    // Then, still under the lock, run.json's paths into the old folder (e.g. "out") are
    // rewritten to the new one (RunJsonRelocation); when that fails the rename stands and
    // `warning` (one line, naming run.json) says so.
    static bool rename(const QString& runDir, const QString& newName, QString* newDir,
                       QString* error, QString* warning = nullptr);
    // "" when `name` can be a run folder's name in `parent`, else why not (empty, a path,
    // "." or "..", a leading dot, control characters, longer than 255 bytes, already taken).
    static QString nameProblem(const QString& parent, const QString& name);
    // The tags read back / written (comma-separated text is parsed by RunTags::parse).
    static QStringList tags(const QString& runDir, QString* error = nullptr);
    static bool setTags(const QString& runDir, const QString& commaSeparated, QString* error);

    // "" when the run may be changed now, else "<name> is running (pid N); stop it first".
    static QString runningProblem(const QString& runDir);
};

} // namespace fsllm
