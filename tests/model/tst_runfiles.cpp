// The run-folder files the Runs tab reads and writes besides run.json: metrics.jsonl read
// incrementally (MetricsTail), tags.json (RunTags), the lock probe (RunLockProbe), and the
// per-class scores and confusion matrix computed from predictions files (PredictionReport), on
// small cases whose numbers are worked out by hand in the comments.
#include "atomicfile.h"
#include "classifierspec.h"
#include "fsllmerror.h"
#include "metricstail.h"
#include "predictionreport.h"
#include "runlock.h"
#include "runlockprobe.h"
#include "runrecord.h"
#include "runtags.h"
#include "trainingconfig.h"

#include <QtTest>

#include <cmath>
#include <fstream>
#include <unistd.h>

using namespace fsllm;

namespace {

void append(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << text;
}

std::string stepLine(int step, double loss) {
    StepRecord s;
    s.step = step;
    s.trainLoss = loss;
    return s.toJsonLine();
}

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool near(double a, double b) {
    return std::abs(a - b) < 1e-12;
}

} // namespace

class TstRunFiles : public QObject {
    Q_OBJECT

private slots:
    // Where the mask starts travels through classifier.json and run.json; files written before
    // it existed read as 0 (every layer); a bad value is refused by name.
    void maskFromLayerRoundTrips() {
        ClassifierSpec spec;
        spec.labels = {"neg", "pos"};
        spec.mask = {MaskMode::Decay, 0.25};
        spec.mask.fromLayer = 3;
        const ClassifierSpec back = ClassifierSpec::fromJsonText(spec.toJsonText(), "spec");
        QCOMPARE(back.mask.fromLayer, 3);
        QCOMPARE(back.mask.lambda, 0.25);
        std::string old = spec.toJsonText();
        const std::size_t at = old.find("\"mask_from_layer\": 3,");
        QVERIFY(at != std::string::npos);
        old.erase(at, std::string("\"mask_from_layer\": 3,").size());
        QCOMPARE(ClassifierSpec::fromJsonText(old, "old").mask.fromLayer, 0);
        for (const char* bad : {"-1", "2.5", "\"two\"", "99999999"}) {
            std::string text = spec.toJsonText();
            const std::string field = "\"mask_from_layer\": 3";
            text.replace(text.find(field), field.size(),
                         std::string("\"mask_from_layer\": ") + bad);
            try {
                ClassifierSpec::fromJsonText(text, "spec.json");
                QFAIL(qPrintable(QStringLiteral("accepted mask_from_layer %1").arg(bad)));
            } catch (const FsllmError& e) {
                QVERIFY2(QString(e.what()).contains("spec.json: field 'mask_from_layer'"),
                         e.what());
            }
        }
        TrainingConfig config;
        config.mask = spec.mask;
        QCOMPARE(TrainingConfig::fromJsonText(config.toJsonText(), "run.json").mask.fromLayer, 3);
    }

    void metricsTailReadsOnlyWhatWasAppended() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("metrics.jsonl").toStdString();
        MetricsTail tail(path);
        QVERIFY(tail.poll().empty()); // no file yet
        append(path, stepLine(1, 0.9) + stepLine(2, 0.8));
        MetricsTail::Batch batch = tail.poll();
        QCOMPARE(batch.steps.size(), std::size_t(2));
        QCOMPARE(batch.steps[1].step, 2);
        QCOMPARE(tail.offset(), std::uint64_t(readAll(path).size()));
        QVERIFY(tail.poll().empty()); // nothing new
        // A line half written waits for its newline; an eval line then arrives whole.
        const std::string third = stepLine(3, 0.7);
        append(path, third.substr(0, 10));
        QVERIFY(tail.poll().empty());
        EvalRecord eval;
        eval.step = 3;
        eval.accuracy = 0.75;
        eval.isBest = true;
        append(path, third.substr(10) + eval.toJsonLine());
        batch = tail.poll();
        QCOMPARE(batch.steps.size(), std::size_t(1));
        QCOMPARE(batch.steps[0].step, 3);
        QCOMPARE(batch.evals.size(), std::size_t(1));
        QVERIFY(batch.evals[0].isBest);
        QVERIFY(!batch.restarted);
        // A resume rewrites the file (atomically, shorter): read again from the start.
        AtomicFile::write(path, stepLine(1, 0.9));
        batch = tail.poll();
        QVERIFY(batch.restarted);
        QCOMPARE(batch.steps.size(), std::size_t(1));
        QCOMPARE(batch.evals.size(), std::size_t(0));
    }

    void metricsTailRefusesDamagedLinesButSkipsATruncatedLast() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("metrics.jsonl").toStdString();
        append(path, stepLine(1, 0.9) + "{\"type\": \"step\", \"st\n" + stepLine(2, 0.8));
        try {
            MetricsTail(path).poll();
            QFAIL("a damaged line in the middle was accepted");
        } catch (const FsllmError& e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(path) + ":2:"), e.what());
        }
        const std::string killed = dir.filePath("killed.jsonl").toStdString();
        append(killed, stepLine(1, 0.9) + "{\"type\": \"step\", \"st\n");
        QCOMPARE(MetricsTail(killed).poll().steps.size(), std::size_t(1));
        // RunRecord::load reads through the same tail: a last line without newline counts.
        TrainingConfig config;
        config.modelDir = "/m";
        config.trainFile = "t.tsv";
        config.devFile = "d.tsv";
        config.outDir = dir.path().toStdString();
        AtomicFile::write(dir.filePath("run.json").toStdString(), config.toJsonText());
        std::string noNewline = stepLine(2, 0.5);
        noNewline.pop_back();
        AtomicFile::write(dir.filePath("metrics.jsonl").toStdString(), stepLine(1, 0.9) + noNewline);
        QCOMPARE(RunRecord::load(dir.path().toStdString()).steps.size(), std::size_t(2));
    }

    void tagsLiveInTheirOwnFile() {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        const std::vector<std::string> parsed = RunTags::parse(" baseline, sweep-1 ,,baseline");
        QCOMPARE(parsed, (std::vector<std::string>{"baseline", "sweep-1"}));
        AtomicFile::write(run + "/run.json", "{\"keep\": true}\n");
        RunTags::write(run, parsed);
        QCOMPARE(RunTags::read(run), parsed);
        QCOMPARE(readAll(run + "/run.json"), std::string("{\"keep\": true}\n")); // untouched
        RunTags::write(run, {});
        QVERIFY(!QFile::exists(dir.filePath("tags.json")));
        QVERIFY(RunTags::read(run).empty());
        QVERIFY_THROWS_EXCEPTION(FsllmError, RunTags::parse(std::string(65, 'x')));
        QVERIFY_THROWS_EXCEPTION(FsllmError, RunTags::parse("a\tb"));
        AtomicFile::write(run + "/tags.json", "{\"tags\": [1]}");
        try {
            RunTags::read(run);
            QFAIL("a malformed tags.json was accepted");
        } catch (const FsllmError& e) {
            QVERIFY2(QString(e.what()).contains("tags.json"), e.what());
        }
    }

    void lockProbeSeesAJobWithoutTakingItsLock() {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        QVERIFY(!RunLockProbe::probe(run).lockFileExists);
        {
            RunLock job(run);
            const RunLockProbe probe = RunLockProbe::probe(run);
            QVERIFY(probe.held);
            QCOMPARE(probe.pid, long(::getpid()));
        }
        const RunLockProbe after = RunLockProbe::probe(run);
        QVERIFY(after.lockFileExists && !after.held);
        RunLock again(run); // the probe left the lock free
    }

    // gold / predicted over labels neg, neu, pos:
    //   1 neg neg   2 neg pos   3 neu neu   4 pos pos   5 pos neg   6 pos pos   7 neu pos
    // confusion [gold][pred]: neg [1 0 1], neu [0 1 1], pos [1 0 2]
    // neg: support 2, predicted 2, correct 1 -> P 1/2, R 1/2, F1 1/2
    // neu: support 2, predicted 1, correct 1 -> P 1, R 1/2, F1 2/3
    // pos: support 3, predicted 4, correct 2 -> P 1/2, R 2/3, F1 4/7; accuracy 4/7
    void sequencePredictionsGiveExactCounts() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("dev_predictions.tsv").toStdString();
        AtomicFile::write(path, "line\tgold\tpredicted\tp_neg\tp_neu\tp_pos\n"
                                "2\tneg\tneg\t0.8\t0.1\t0.1\n3\tneg\tpos\t0.2\t0.1\t0.7\n"
                                "4\tneu\tneu\t0.1\t0.8\t0.1\n5\tpos\tpos\t0.1\t0.1\t0.8\n"
                                "6\tpos\tneg\t0.5\t0.2\t0.3\n7\tpos\tpos\t0.1\t0.2\t0.7\n"
                                "8\tneu\tpos\t0.1\t0.3\t0.6\n");
        const PredictionReport report = PredictionReport::read(path);
        QCOMPARE(report.task, TaskKind::Sequence);
        QCOMPARE(report.labels, (std::vector<std::string>{"neg", "neu", "pos"}));
        QCOMPARE(report.examples, 7);
        const std::vector<std::vector<int>> confusion = {{1, 0, 1}, {0, 1, 1}, {1, 0, 2}};
        QCOMPARE(report.classification.confusion, confusion);
        const auto& rows = report.rows();
        QCOMPARE(rows.size(), std::size_t(3));
        QCOMPARE(rows[1].support, 2);
        QCOMPARE(rows[2].predicted, 4);
        QVERIFY(near(rows[0].f1, 0.5));
        QVERIFY(near(rows[1].precision, 1.0) && near(rows[1].f1, 2.0 / 3.0));
        QVERIFY(near(rows[2].recall, 2.0 / 3.0) && near(rows[2].f1, 4.0 / 7.0));
        QVERIFY(near(report.classification.accuracy, 4.0 / 7.0));
        // Labels from another run, or a label outside them, are refused with file and line.
        QVERIFY_THROWS_EXCEPTION(FsllmError, PredictionReport::read(path, {"a", "b", "c"}));
        AtomicFile::write(path, "line\tgold\tpredicted\tp_neg\tp_pos\n2\tneg\tneu\t0.5\t0.5\n");
        try {
            PredictionReport::read(path);
            QFAIL("an unknown label was accepted");
        } catch (const FsllmError& e) {
            QVERIFY2(QString(e.what()).contains("dev_predictions.tsv:2:") &&
                         QString(e.what()).contains("neu"),
                     e.what());
        }
    }

    // Sentence 1: John B-PER/B-PER, Smith I-PER/O, visited O/O, Paris B-LOC/B-LOC;
    // sentence 2: Anna B-PER/B-LOC, left O/O.
    // gold chunks: PER (John Smith), LOC (Paris), PER (Anna); predicted: PER (John), LOC
    // (Paris), LOC (Anna); correct: LOC (Paris) only.
    // PER: support 2, predicted 1, correct 0 -> P 0, R 0, F1 0
    // LOC: support 1, predicted 2, correct 1 -> P 1/2, R 1, F1 2/3; micro P = R = F1 = 1/3
    // words (labels B-PER I-PER B-LOC O): B-PER [1 0 1 0], I-PER [0 0 0 1], B-LOC [0 0 1 0],
    // O [0 0 0 2]; token accuracy 4/6
    void tokenPredictionsGiveEntityScoresAndTagConfusion() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("dev_predictions.conll").toStdString();
        AtomicFile::write(path, "John B-PER B-PER\nSmith I-PER O\nvisited O O\nParis B-LOC B-LOC\n"
                                "\nAnna B-PER B-LOC\nleft O O\n\n");
        const std::vector<std::string> labels = {"B-PER", "I-PER", "B-LOC", "O"};
        const PredictionReport report = PredictionReport::read(path, labels);
        QCOMPARE(report.task, TaskKind::Token);
        QCOMPARE(report.examples, 2);
        QVERIFY(report.entityLevel);
        const auto& rows = report.rows(); // by entity type, sorted: LOC, PER
        QCOMPARE(rows.size(), std::size_t(2));
        QCOMPARE(rows[0].label, std::string("LOC"));
        QCOMPARE(rows[0].support, 1);
        QCOMPARE(rows[0].predicted, 2);
        QCOMPARE(rows[0].correct, 1);
        QVERIFY(near(rows[0].f1, 2.0 / 3.0));
        QCOMPARE(rows[1].label, std::string("PER"));
        QCOMPARE(rows[1].support, 2);
        QCOMPARE(rows[1].predicted, 1);
        QCOMPARE(rows[1].correct, 0);
        QVERIFY(near(report.entities.f1, 1.0 / 3.0));
        const std::vector<std::vector<int>> confusion = {
            {1, 0, 1, 0}, {0, 0, 0, 1}, {0, 0, 1, 0}, {0, 0, 0, 2}};
        QCOMPARE(report.classification.confusion, confusion);
        QVERIFY(near(report.entities.tokenAccuracy, 4.0 / 6.0));
    }

    void sourcesListDevThenEvaluatedFiles() {
        QTemporaryDir dir;
        const std::string run = dir.path().toStdString();
        QVERIFY(PredictionReport::sources(run).empty());
        AtomicFile::write(run + "/dev_predictions.tsv", "line\tgold\tpredicted\tp_a\n");
        QDir().mkpath(dir.filePath("evaluations"));
        const std::string kept =
            PredictionReport::evaluationPredictionsPath(run, "/data/test.tsv", TaskKind::Sequence);
        QCOMPARE(kept, run + "/evaluations/test.tsv.predictions.tsv");
        AtomicFile::write(kept, "line\tgold\tpredicted\tp_a\n");
        AtomicFile::write(PredictionReport::evaluationScoresPath(run, "/data/test.tsv"),
                          "{\"data\": \"/data/test.tsv\"}");
        const auto sources = PredictionReport::sources(run, "dev.tsv");
        QCOMPARE(sources.size(), std::size_t(2));
        QCOMPARE(sources[0].name, std::string("dev"));
        QCOMPARE(sources[0].dataFile, std::string("dev.tsv"));
        QCOMPARE(sources[1].name, std::string("test.tsv"));
        QCOMPARE(sources[1].dataFile, std::string("/data/test.tsv"));
        QCOMPARE(sources[1].path, kept);
    }
};

QTEST_GUILESS_MAIN(TstRunFiles)
#include "tst_runfiles.moc"
