#include "runfolderactions.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "runjsonrelocation.h"
#include "runlock.h"
#include "runlockprobe.h"
#include "runtags.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QObject>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>

namespace fsllm {

namespace {

bool fail(QString* error, const QString& message) {
    if (error)
        *error = message;
    return false;
}

// Takes the run's lock for the time of a change; null + `error` when a job holds it (or the
// folder is not writable).
std::unique_ptr<RunLock> lockRun(const QString& runDir, QString* error) {
    try {
        return std::make_unique<RunLock>(runDir.toStdString());
    } catch (const FsllmError& e) {
        fail(error, QString::fromUtf8(e.what()));
        return nullptr;
    }
}

} // namespace

QString RunFolderActions::runningProblem(const QString& runDir) {
    const RunLockProbe probe = RunLockProbe::probe(runDir.toStdString());
    if (!probe.held)
        return {};
    const QString name = QFileInfo(runDir).fileName();
    return probe.pid > 0
               ? QObject::tr("%1 is running (pid %2); stop it first").arg(name).arg(probe.pid)
               : QObject::tr("%1 is running; stop it first").arg(name);
}

bool RunFolderActions::remove(const QString& runDir, bool permanently, QString* error,
                              QString* trashed) {
    const QString clean = QDir(runDir).absolutePath();
    if (!QFileInfo(clean).isDir())
        return fail(error, QObject::tr("%1: no such run folder").arg(clean));
    if (const QString running = runningProblem(clean); !running.isEmpty())
        return fail(error, QObject::tr("Cannot delete: %1.").arg(running));
    const std::unique_ptr<RunLock> lock = lockRun(clean, error);
    if (!lock)
        return false;
    if (permanently) {
        if (!QDir(clean).removeRecursively())
            return fail(error, QObject::tr("%1: could not delete every file (check the folder's "
                                           "permissions); what is left stays")
                                   .arg(clean));
        return true;
    }
    QString inTrash;
    if (!QFile::moveToTrash(clean, &inTrash))
        return fail(error, QObject::tr("%1: cannot move it to the trash (no trash folder on its "
                                       "disk, or no permission)")
                               .arg(clean));
    if (trashed)
        *trashed = inTrash;
    return true;
}

QString RunFolderActions::nameProblem(const QString& parent, const QString& name) {
    if (name.trimmed().isEmpty())
        return QObject::tr("the name is empty");
    if (name != name.trimmed())
        return QObject::tr("the name starts or ends with a space");
    if (name.contains(QLatin1Char('/')) || name.contains(QChar(0)))
        return QObject::tr("a name cannot hold '/'");
    if (name.startsWith(QLatin1Char('.')))
        return QObject::tr("a name cannot start with '.' (hidden folders are not listed)");
    for (const QChar c : name)
        if (c.category() == QChar::Other_Control)
            return QObject::tr("the name holds a control character");
    if (name.toUtf8().size() > 255)
        return QObject::tr("the name is longer than 255 bytes");
    if (QFileInfo::exists(QDir(parent).filePath(name)))
        return QObject::tr("%1 already exists in %2").arg(name, parent);
    return {};
}

bool RunFolderActions::rename(const QString& runDir, const QString& newName, QString* newDir,
                              QString* error, QString* warning) {
    const QString clean = QDir(runDir).absolutePath();
    const QString parent = QFileInfo(clean).absolutePath();
    if (!QFileInfo(clean).isDir())
        return fail(error, QObject::tr("%1: no such run folder").arg(clean));
    if (newName == QFileInfo(clean).fileName())
        return fail(error, QObject::tr("%1 already has that name").arg(newName));
    if (const QString problem = nameProblem(parent, newName); !problem.isEmpty())
        return fail(error, QObject::tr("Cannot rename to “%1”: %2.").arg(newName, problem));
    if (const QString running = runningProblem(clean); !running.isEmpty())
        return fail(error, QObject::tr("Cannot rename: %1.").arg(running));
    const std::unique_ptr<RunLock> lock = lockRun(clean, error);
    if (!lock)
        return false;
    const QString target = QDir(parent).filePath(newName);
    const QByteArray from = QFile::encodeName(clean), to = QFile::encodeName(target);
    // RENAME_NOREPLACE: a folder that appeared after the check above is never replaced.
    int status = ::renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(),
                             RENAME_NOREPLACE);
    if (status != 0 && errno == EINVAL && !QFileInfo::exists(target)) // no support on this disk
        status = ::rename(from.constData(), to.constData());
    if (status != 0)
        return fail(error, QObject::tr("Cannot rename %1 to %2: %3")
                               .arg(clean, newName, QString::fromLocal8Bit(std::strerror(errno))));
    AtomicFile::syncFolder(parent.toStdString());
    if (newDir)
        *newDir = target;
    QString relocationError;
    if (!RunJsonRelocation::relocate(clean, QDir(target).absolutePath(), nullptr,
                                     &relocationError) &&
        warning)
        *warning = QObject::tr("Renamed to %1, but %2").arg(newName, relocationError);
    return true;
}

QStringList RunFolderActions::tags(const QString& runDir, QString* error) {
    QStringList tags;
    try {
        for (const std::string& tag : RunTags::read(runDir.toStdString()))
            tags << QString::fromStdString(tag);
    } catch (const FsllmError& e) {
        fail(error, QString::fromUtf8(e.what()));
    }
    return tags;
}

bool RunFolderActions::setTags(const QString& runDir, const QString& commaSeparated,
                               QString* error) {
    try {
        RunTags::write(runDir.toStdString(), RunTags::parse(commaSeparated.toStdString()));
        return true;
    } catch (const FsllmError& e) {
        return fail(error, QString::fromUtf8(e.what()));
    }
}

} // namespace fsllm
