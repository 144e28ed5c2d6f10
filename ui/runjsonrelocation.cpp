#include "runjsonrelocation.h"

#include "atomicfile.h"
#include "fsllmerror.h"
#include "trainingconfig.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <exception>

namespace fsllm {

namespace {

using Json = nlohmann::ordered_json; // keeps run.json's key order

// `path` inside `folder` (or the folder itself): the part after it ("" or "/…"); null otherwise.
QString tailUnder(const QString& path, const QString& folder) {
    if (path == folder)
        return QStringLiteral("");
    if (path.startsWith(folder + QLatin1Char('/')))
        return path.mid(folder.size());
    return QString();
}

void relocateStrings(Json& value, const QString& where, const QString& oldDir,
                     const QString& newDir, QStringList* changed) {
    if (value.is_string()) {
        const QString text = QString::fromStdString(value.get<std::string>());
        const QString moved = RunJsonRelocation::relocatedPath(text, oldDir, newDir);
        if (moved != text) {
            value = moved.toStdString();
            if (changed)
                *changed << where;
        }
    } else if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            relocateStrings(it.value(),
                            where.isEmpty() ? QString::fromStdString(it.key())
                                            : where + QLatin1Char('/') +
                                                  QString::fromStdString(it.key()),
                            oldDir, newDir, changed);
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            relocateStrings(value[i], where + QStringLiteral("[%1]").arg(i), oldDir, newDir,
                            changed);
    }
}

} // namespace

QString RunJsonRelocation::relocatedPath(const QString& value, const QString& oldDir,
                                         const QString& newDir) {
    if (value.isEmpty() || value.contains(QLatin1Char('\n')))
        return value;
    const bool relative = QDir::isRelativePath(value);
    const QString clean =
        QDir::cleanPath(relative ? QDir::current().absoluteFilePath(value) : value);
    QString moved;
    if (const QString tail = tailUnder(clean, oldDir); !tail.isNull()) {
        moved = newDir + tail;
    } else {
        // The old folder reached another way (a symbolic link on the path): it is gone, but its
        // parent is not. Walk up to the component named as the old folder and compare the
        // resolved parents; the path keeps its own spelling, with the new name.
        const QString oldName = QFileInfo(oldDir).fileName();
        const QString oldParent = QFileInfo(QFileInfo(oldDir).absolutePath()).canonicalFilePath();
        QString rest;
        for (QFileInfo info(clean); !oldParent.isEmpty() && !info.fileName().isEmpty();
             info = QFileInfo(info.absolutePath())) {
            if (info.fileName() == oldName) {
                if (QFileInfo(info.absolutePath()).canonicalFilePath() == oldParent)
                    moved = QDir(info.absolutePath()).filePath(QFileInfo(newDir).fileName()) + rest;
                break;
            }
            rest = QLatin1Char('/') + info.fileName() + rest;
        }
    }
    if (moved.isEmpty())
        return value;
    return relative ? QDir::current().relativeFilePath(moved) : moved;
}

bool RunJsonRelocation::relocate(const QString& oldDir, const QString& newDir,
                                 QStringList* changed, QString* error) {
    const QString path = QDir(newDir).filePath(QString::fromLatin1(TrainingConfig::kFileName));
    QFile file(path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QObject::tr("%1: cannot read it to update its paths (%2)")
                         .arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.readAll();
    file.close();
    Json object;
    try {
        object = Json::parse(bytes.constData(), bytes.constData() + bytes.size());
    } catch (const std::exception& e) {
        if (error)
            *error = QObject::tr("%1: not valid JSON, its paths still name %2 (%3)")
                         .arg(path, oldDir, QString::fromUtf8(e.what()));
        return false;
    }
    QStringList fields;
    relocateStrings(object, QString(), QDir::cleanPath(oldDir), QDir::cleanPath(newDir), &fields);
    if (changed)
        *changed = fields;
    if (fields.isEmpty())
        return true;
    try {
        AtomicFile::write(path.toStdString(), object.dump(2) + (bytes.endsWith('\n') ? "\n" : ""));
    } catch (const FsllmError& e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return false;
    }
    return true;
}

} // namespace fsllm
