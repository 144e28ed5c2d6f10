#include "runpreflight.h"

#include "datareader.h"
#include "formwording.h"
#include "fsllmerror.h"
#include "labelset.h"

#include <QDir>
#include <QFileInfo>
#include <QString>

namespace fsllm {

namespace {

[[noreturn]] void fail(const QString& message) {
    throw FsllmError(message.toStdString());
}

void checkModel(const std::string& modelDir) {
    const QString dir = QString::fromStdString(modelDir);
    const QDir folder(dir);
    if (!folder.exists())
        fail(QObject::tr("Model: %1 does not exist; choose a checkpoint folder").arg(dir));
    if (!folder.exists(QStringLiteral("config.json")) ||
        (!folder.exists(QStringLiteral("model.safetensors")) &&
         !folder.exists(QStringLiteral("model.safetensors.index.json"))))
        fail(QObject::tr("Model: %1 is not a checkpoint folder (config.json and "
                         "model.safetensors expected)")
                 .arg(dir));
    if (!folder.exists(QStringLiteral("tokenizer.model")) &&
        !folder.exists(QStringLiteral("tokenizer.json")))
        fail(QObject::tr("Model: %1 has no tokenizer.model or tokenizer.json; training needs the "
                         "tokenizer")
                 .arg(dir));
}

} // namespace

void RunPreflight::check(const TrainingConfig& config) {
    try {
        config.validate();
    } catch (const FsllmError& e) {
        fail(FormWording::forForm(QString::fromUtf8(e.what())));
    }
    checkModel(config.modelDir);
    const auto train = DataReader::read(config.trainFile, config.data);
    if (LabelSet::fromExamples(train, config.task()).size() < 2)
        fail(QObject::tr("Train: %1 has only one label; a classifier needs at least two")
                 .arg(QString::fromStdString(config.trainFile)));
    DataReader::read(config.devFile, config.data);
    // A folder that holds results (steps, a checkpoint, a best adapter) is never overwritten.
    const QDir out(QString::fromStdString(config.outDir));
    const bool holdsResults =
        QFileInfo::exists(out.filePath(QString::fromLatin1(TrainingConfig::kFileName))) &&
        (QFileInfo(out.filePath(QStringLiteral("metrics.jsonl"))).size() > 0 ||
         out.exists(QStringLiteral("checkpoint")) || out.exists(QStringLiteral("checkpoint.old")) ||
         out.exists(QStringLiteral("best")));
    if (holdsResults)
        fail(QObject::tr("Run folder: %1 already holds a run; choose another folder, or continue "
                         "it with Resume run…")
                 .arg(out.path()));
}

} // namespace fsllm
