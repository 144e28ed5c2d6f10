#include "runfolderreader.h"

#include "bestrecord.h"
#include "fsllmerror.h"
#include "runtags.h"

#include <QDir>

#include <exception>

namespace fsllm {

namespace {

// run.json, metrics.jsonl through the tail that will follow it, best/ (as RunRecord::load),
// tags.json.
void readRun(RunReading* run) {
    const std::string dir = run->directory.toStdString();
    run->record.directory = dir;
    run->record.config = TrainingConfig::load(dir + "/" + TrainingConfig::kFileName);
    MetricsTail::Batch batch = run->tail->poll();
    run->record.steps = std::move(batch.steps);
    run->record.evals = std::move(batch.evals);
    if (const std::optional<BestRecord> best = BestRecord::read(dir))
        best->reconcile(run->record.evals);
    try {
        for (const std::string& tag : RunTags::read(dir))
            run->tags << QString::fromStdString(tag);
    } catch (const FsllmError& e) { // the run is listed all the same, without tags
        run->warning = QString::fromUtf8(e.what());
    }
}

} // namespace

QList<RunReading> RunFolderReader::read(const QStringList& runDirs, const QString& activeRun) {
    QList<RunReading> readings;
    for (const QString& dir : runDirs) {
        RunReading run;
        run.directory = QDir(dir).absolutePath();
        run.status = RunStatus::read(run.directory, run.directory == activeRun);
        run.tail = std::make_shared<MetricsTail>(
            QDir(run.directory).filePath(QStringLiteral("metrics.jsonl")).toStdString());
        try {
            readRun(&run);
        } catch (const std::exception& e) {
            run.error = QString::fromUtf8(e.what());
        }
        readings << run;
    }
    return readings;
}

} // namespace fsllm
