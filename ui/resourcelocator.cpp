#include "resourcelocator.h"

#include "fsllmerror.h"
#include "tinycheckpoint.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <spdlog/spdlog.h>

#include <exception>

namespace fsllm {

QStringList ResourceLocator::searchRoots() {
    QStringList roots;
    const QByteArray env = qgetenv("FSLLM_RESOURCES");
    if (!env.isEmpty())
        roots << QString::fromLocal8Bit(env);
    roots << QStringLiteral(FSLLM_INSTALL_RESOURCES);
    if (QCoreApplication::instance())
        roots << QDir(QCoreApplication::applicationDirPath())
                     .absoluteFilePath(QStringLiteral("../share/fsllm"));
    roots << QStringLiteral(FSLLM_SOURCE_RESOURCES);
    return roots;
}

QString ResourceLocator::find(const QString& relative) {
    for (const QString& root : searchRoots()) {
        const QFileInfo info(QDir(root).filePath(relative));
        if (info.exists())
            return info.absoluteFilePath();
    }
    return {};
}

bool ResourceLocator::isModelDir(const QString& dir) {
    const QDir folder(dir);
    return !dir.isEmpty() && folder.exists(QStringLiteral("config.json")) &&
           (folder.exists(QStringLiteral("model.safetensors")) ||
            folder.exists(QStringLiteral("model.safetensors.index.json")));
}

QString ResourceLocator::bundledModelDir() {
    for (const QString& root : searchRoots()) {
        const QString dir = QDir(root).filePath(QLatin1String(kBundledModel));
        if (isModelDir(dir))
            return QFileInfo(dir).absoluteFilePath();
    }
    return {};
}

QString ResourceLocator::generatedModelDir() {
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(data).filePath(QLatin1String(kGeneratedModel));
}

QString ResourceLocator::demoTrainFile() {
    return find(QStringLiteral("demo/brown_genre_train.tsv"));
}

QString ResourceLocator::demoDevFile() {
    return find(QStringLiteral("demo/brown_genre_dev.tsv"));
}

QString ResourceLocator::defaultSentence() {
    return QStringLiteral("The committee said the new law would help farm workers in the state.");
}

QString ResourceLocator::ensureDefaultModel(QString* error) {
    const QString bundled = bundledModelDir();
    if (!bundled.isEmpty())
        return bundled;
    const QString generated = generatedModelDir();
    if (isModelDir(generated) && QFileInfo::exists(generated + QStringLiteral("/tokenizer.model")))
        return generated;
    const QString corpus = find(QStringLiteral("corpus/tiny_corpus.txt"));
    if (corpus.isEmpty()) {
        if (error)
            *error = QObject::tr("no bundled model and no corpus/tiny_corpus.txt to build a tiny "
                                 "one (looked in %1); set FSLLM_RESOURCES or open a model folder")
                         .arg(searchRoots().join(QStringLiteral(", ")));
        return {};
    }
    spdlog::info("generating a tiny default model in {}", generated.toStdString());
    TinyCheckpointOptions options;
    options.layers = 4;
    options.hidden = 128;
    options.heads = 4;
    options.kvHeads = 2;
    options.qkStd = 0.1; // visibly structured attention maps before any training
    options.corpusPath = corpus.toStdString();
    try {
        QDir().mkpath(generated);
        TinyCheckpoint::write(generated.toStdString(), options);
    } catch (const std::exception& e) {
        if (error)
            *error = QObject::tr("could not generate the tiny default model in %1: %2")
                         .arg(generated, QString::fromUtf8(e.what()));
        return {};
    }
    return generated;
}

QString ResourceLocator::runsRoot() {
    // Runs are data, not settings: the XDG data location (~/.local/share/<org>/<app>/runs).
    const QString data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(data).filePath(QStringLiteral("runs"));
}

} // namespace fsllm
