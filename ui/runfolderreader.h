// Reads run folders for the Runs tab's list, meant for a pool thread (RunsPanel calls it through
// BackgroundCall): for each folder its status (RunStatus), run.json, metrics.jsonl (through the
// MetricsTail that will then follow the folder, so it stands after the records read), best/
// (reconciled with the evaluations, as RunRecord::load does) and tags.json. A folder whose
// run.json cannot be read comes back with `error` set and is not listed; one whose tags cannot be
// read is listed with `warning` set. Thread-safety: reentrant (reads files only).
#pragma once

#include "metricstail.h"
#include "runrecord.h"
#include "runstatus.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace fsllm {

struct RunReading {
    QString directory; // absolute
    RunRecord record;
    RunStatus status;
    QStringList tags;
    std::shared_ptr<MetricsTail> tail; // stands after the records read
    QString error;   // not listed
    QString warning; // listed, e.g. without its tags
};

class RunFolderReader {
public:
    // `activeRun`: the folder this studio trains into (read as running).
    static QList<RunReading> read(const QStringList& runDirs, const QString& activeRun);
};

} // namespace fsllm
