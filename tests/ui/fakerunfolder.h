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
inline void writeFakeRun(const QString& dir, MaskSpec mask, double bestAccuracy, int seed = 42) {
    QDir().mkpath(dir);
    TrainingConfig config;
    config.modelDir = "/models/x";
    config.trainFile = "train.tsv";
    config.devFile = "dev.tsv";
    config.outDir = dir.toStdString();
    config.mask = mask;
    config.seed = seed;
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

// dev_predictions.tsv as the trainer keeps it: example i has gold "pos" (even i) or "neg" (odd
// i) and is predicted right where `correct[i]`.
inline void writeFakeDevPredictions(const QString& dir, const std::vector<bool>& correct) {
    QFile file(dir + "/dev_predictions.tsv");
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("line\tgold\tpredicted\tp_neg\tp_pos\n");
    for (std::size_t i = 0; i < correct.size(); ++i) {
        const QByteArray gold = i % 2 == 0 ? "pos" : "neg", other = i % 2 == 0 ? "neg" : "pos";
        file.write(QByteArray::number(qulonglong(i + 2)) + "\t" + gold + "\t" +
                   (correct[i] ? gold : other) + "\t0.5\t0.5\n");
    }
}

// `right` of `total` examples right: the first `right` ones.
inline std::vector<bool> firstRight(int right, int total) {
    std::vector<bool> correct(std::size_t(total), false);
    for (int i = 0; i < right; ++i)
        correct[std::size_t(i)] = true;
    return correct;
}

} // namespace fsllm::testing
