// Keeps a renamed run folder's run.json true: every string in it (at any depth) that is a path
// to the old folder or into it (e.g. "out", or a data file kept inside the run) is rewritten to
// the same place under the new folder. Absolute paths are matched against the old folder as
// given and as resolved (symbolic links); a relative path is matched as the studio's working
// folder resolves it and stays relative. Keys keep their order and every other value is kept
// as it was; the file is replaced atomically (AtomicFile), and only when something changed.
// Thread-safety: reentrant; the caller holds the run's lock (RunFolderActions::rename does).
#pragma once

#include <QString>
#include <QStringList>

namespace fsllm {

class RunJsonRelocation {
public:
    // Rewrites `newDir`/run.json after the folder moved from `oldDir`. `changed` gets the
    // rewritten fields' JSON paths ("out", "data/…"). False + `error` (naming the file) when
    // run.json cannot be read, parsed or written; a folder without run.json has nothing to do.
    static bool relocate(const QString& oldDir, const QString& newDir, QStringList* changed,
                         QString* error);
    // `value` moved with the folder: the path under `newDir`, or `value` itself when it does
    // not point at `oldDir` or into it. Both folders absolute and clean.
    static QString relocatedPath(const QString& value, const QString& oldDir,
                                 const QString& newDir);
};

} // namespace fsllm
