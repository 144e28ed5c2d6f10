// A fake run folder for the UI suites: run.json and metrics.jsonl as `fsllm train` leaves them
// (4 logged steps, one evaluation marked best with all scores = bestAccuracy). Test use only.
#pragma once

#include "maskspec.h"
#include "trainingconfig.h"
#include "trainingrecords.h"

#include <QDir>
#include <QFile>
#include <QtTest>

namespace fsllm::testing {

// A run folder as fsllm train leaves it: run.json and metrics.jsonl.
inline void writeFakeRun(const QString& dir, MaskSpec mask, double bestAccuracy) {
    QDir().mkpath(dir);
    TrainingConfig config;
    config.modelDir = "/models/x";
    config.trainFile = "train.tsv";
    config.devFile = "dev.tsv";
    config.outDir = dir.toStdString();
    config.mask = mask;
    QFile json(dir + "/run.json");
    QVERIFY(json.open(QIODevice::WriteOnly));
    json.write(QByteArray::fromStdString(config.toJsonText()));
    QFile metrics(dir + "/metrics.jsonl");
    QVERIFY(metrics.open(QIODevice::WriteOnly));
    for (int step = 1; step <= 4; ++step) {
        StepRecord s;
        s.step = step;
        s.totalSteps = 4;
        s.trainLoss = 1.0 / step;
        s.learningRate = 1e-3;
        s.wallSeconds = step;
        metrics.write(QByteArray::fromStdString(s.toJsonLine()));
    }
    EvalRecord e;
    e.step = 4;
    e.accuracy = bestAccuracy;
    e.precision = bestAccuracy;
    e.recall = bestAccuracy;
    e.f1 = bestAccuracy;
    e.evalLoss = 0.5;
    e.isBest = true;
    metrics.write(QByteArray::fromStdString(e.toJsonLine()));
}

} // namespace fsllm::testing
