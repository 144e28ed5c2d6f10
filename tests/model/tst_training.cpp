// Training end to end on generated data: the look-ahead task that only global features solve,
// cancel and resume, the NaN guard, crash-safe checkpoints, and what a run folder holds.
#include "atomicdirectory.h"
#include "atomicfile.h"
#include "classifierrun.h"
#include "fsllmerror.h"
#include "runfolder.h"
#include "runrecord.h"
#include "tinycheckpoint.h"
#include "tokenizer.h"
#include "trainingjob.h"
#include "engine.h"
#include "zeroshotbaseline.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

using namespace fsllm;

namespace {

// Writes CoNLL files where word i is tagged B-NEXT exactly when word i+1 is a "trigger" word:
// the tag depends only on the following word, which a causal model cannot see.
void writeLookAheadData(const std::string& path, const std::vector<std::string>& words,
                        int sentences, unsigned seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<std::size_t> pick(0, words.size() - 1);
    std::uniform_int_distribution<int> length(5, 9);
    std::ofstream out(path);
    for (int s = 0; s < sentences; ++s) {
        std::vector<std::size_t> sentence(static_cast<std::size_t>(length(random)));
        for (auto& w : sentence)
            w = pick(random);
        for (std::size_t i = 0; i < sentence.size(); ++i) {
            const bool nextIsTrigger = i + 1 < sentence.size() && sentence[i + 1] % 2 == 0;
            out << words[sentence[i]] << " " << (nextIsTrigger ? "B-NEXT" : "O") << "\n";
        }
        out << "\n";
    }
}

class RecordingObserver : public TrainingObserver {
public:
    std::function<void(const StepRecord&)> stepHook;
    std::vector<StepRecord> steps;
    std::vector<EvalRecord> evals;
    void onStep(const StepRecord& record) override {
        steps.push_back(record);
        if (stepHook)
            stepHook(record);
    }
    void onEval(const EvalRecord& record) override { evals.push_back(record); }
};

} // namespace

class TstTraining : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::string m_model, m_train, m_dev;

    TrainingConfig lookAheadConfig(const std::string& out, MaskSpec mask) const {
        TrainingConfig c;
        c.modelDir = m_model;
        c.trainFile = m_train;
        c.devFile = m_dev;
        c.outDir = m_dir.path().toStdString() + "/" + out;
        c.data.task = TaskKind::Token;
        c.data.format = DataFormat::Conll;
        c.mask = mask;
        c.loraRank = 8;
        c.loraDropout = 0.0;
        c.learningRate = 3e-3;
        c.batchSize = 16;
        c.epochs = 4;
        c.logEvery = 5;
        c.seed = 1;
        c.threads = 1;
        return c;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        const std::string root = m_dir.path().toStdString();
        m_model = root + "/model";
        TinyCheckpointOptions options;
        options.layers = 2;
        options.hidden = 64;
        options.heads = 4;
        options.kvHeads = 2;
        options.vocab = 400;
        options.seed = 3;
        options.qkStd = 0.02; // near-uniform attention at the start (see the issue)
        options.corpusPath = std::string(FSLLM_SOURCE_DIR) + "/resources/corpus/tiny_corpus.txt";
        TinyCheckpoint::write(m_model, options);

        // Words that are one sentencepiece token each, so words and tokens line up.
        Tokenizer tokenizer(m_model + "/tokenizer.model");
        std::vector<std::string> words;
        for (const char* word : {"the", "and", "was", "of", "to", "in", "a", "is", "for", "that",
                                 "with", "on", "it", "at", "as", "by"})
            if (tokenizer.encode(word, false).size() == 1 && words.size() < 8)
                words.push_back(word);
        QVERIFY2(words.size() == 8, "the tiny tokenizer must have 8 single-piece words");
        m_train = root + "/train.conll";
        m_dev = root + "/dev.conll";
        writeLookAheadData(m_train, words, 480, 11);
        writeLookAheadData(m_dev, words, 120, 12);
    }

    void lookAheadNeedsGlobalFeatures() {
        auto accuracyOf = [&](const std::string& name, MaskSpec mask) {
            TrainingJob job(lookAheadConfig(name, mask));
            const TrainingSummary summary = job.run(nullptr);
            qInfo("%s: dev token accuracy %.3f, entity F1 %.3f, %.1f s", name.c_str(),
                  summary.best.accuracy, summary.best.f1, summary.wallSeconds);
            return summary.best;
        };
        const EvalRecord causal = accuracyOf("causal", {MaskMode::Causal, 0.0});
        const EvalRecord bidirectional = accuracyOf("bidirectional", {MaskMode::Bidirectional, 0.0});
        const EvalRecord decay = accuracyOf("decay", {MaskMode::Decay, 0.5});
        // About half the words precede a trigger: guessing from the past alone stays near 60%.
        QVERIFY2(causal.accuracy < 0.75, QByteArray::number(causal.accuracy));
        QVERIFY2(bidirectional.accuracy > 0.95, QByteArray::number(bidirectional.accuracy));
        QVERIFY2(decay.accuracy > 0.95, QByteArray::number(decay.accuracy));
        QVERIFY(bidirectional.f1 > causal.f1 + 0.3);
    }

    void cancelAndResume() {
        TrainingConfig config = lookAheadConfig("resume", {MaskMode::Decay, 0.5});
        config.epochs = 2;
        config.evalEvery = 10;
        config.logEvery = 1;
        const int total = 2 * ((480 + 15) / 16);
        TrainingJob job(config);
        RecordingObserver observer;
        observer.stepHook = [&](const StepRecord& record) {
            if (record.step == 17)
                job.requestStop();
        };
        const TrainingSummary stopped = job.run(&observer);
        QVERIFY(!stopped.completed);
        QCOMPARE(stopped.stopReason, std::string("stopped by user"));
        QCOMPARE(stopped.steps, 17);
        QVERIFY(!AtomicDirectory::resolve(config.outDir + "/checkpoint").empty());

        auto resumed = TrainingJob::resuming(config.outDir);
        RecordingObserver second;
        const TrainingSummary finished = resumed->run(&second);
        QVERIFY(finished.completed);
        QCOMPARE(finished.steps, total);
        QCOMPARE(second.steps.front().step, 18); // continues where it stopped

        // metrics.jsonl: every step exactly once, in order.
        const RunRecord run = RunRecord::load(config.outDir);
        QCOMPARE(static_cast<int>(run.steps.size()), total);
        for (int i = 0; i < total; ++i)
            QCOMPARE(run.steps[static_cast<std::size_t>(i)].step, i + 1);
        QVERIFY(run.best().has_value());
    }

    void earlyStoppingAndAccumulation() {
        TrainingConfig config = lookAheadConfig("early", {MaskMode::Causal, 0.0});
        config.learningRate = 1e-12; // nothing improves after the first evaluation
        config.warmupRatio = 0.0;
        config.gradAccum = 2;        // 30 batches of 16 -> 15 optimizer steps per epoch
        config.evalEvery = 3;
        config.earlyStopPatience = 2;
        config.epochs = 3;
        TrainingJob job(config);
        RecordingObserver observer;
        const TrainingSummary summary = job.run(&observer);
        QCOMPARE(summary.stopReason, std::string("early stopping"));
        QVERIFY(summary.completed);
        QCOMPARE(static_cast<int>(observer.evals.size()), 3); // best, then two without gain
        QCOMPARE(summary.steps, 9);
        QCOMPARE(observer.steps.front().totalSteps, 3 * 15);
        QVERIFY(observer.evals[0].isBest && !observer.evals[1].isBest && !observer.evals[2].isBest);
    }

    void nanGuardStopsWithMessage() {
        TrainingConfig config = lookAheadConfig("nan", {MaskMode::Bidirectional, 0.0});
        config.learningRate = 1e30;
        config.maxGradNorm = 0.0;
        config.warmupRatio = 0.0;
        config.epochs = 1;
        TrainingJob job(config);
        try {
            job.run(nullptr);
            QFAIL("a diverging run must stop");
        } catch (const FsllmError& e) {
            QVERIFY2(QString(e.what()).contains("training loss became"), e.what());
            QVERIFY2(QString(e.what()).contains("--lr"), e.what());
        }
        QVERIFY(std::filesystem::exists(config.outDir + "/run.json"));
        std::ifstream log(config.outDir + "/train.log");
        const std::string text((std::istreambuf_iterator<char>(log)), {});
        QVERIFY(text.find("training loss became") != std::string::npos);
    }

    void interruptedSaveKeepsPreviousCheckpoint() {
        const std::string target = m_dir.path().toStdString() + "/ckpt/checkpoint";
        std::filesystem::create_directories(target + "/..");
        std::string staging = AtomicDirectory::stage(target);
        AtomicFile::write(staging + "/state.json", "first");
        AtomicDirectory::commit(staging, target);
        // A save killed while writing the staging folder: the committed one is untouched.
        AtomicFile::write(AtomicDirectory::stage(target) + "/state.json", "second, half writ");
        QCOMPARE(AtomicDirectory::resolve(target), target);
        std::ifstream first(target + "/state.json");
        QCOMPARE(std::string((std::istreambuf_iterator<char>(first)), {}), std::string("first"));
        // Killed between moving the old folder aside and renaming the new one into place.
        std::filesystem::rename(target, target + ".old");
        QCOMPARE(AtomicDirectory::resolve(target), target + ".old");
        // The next save completes and cleans up.
        staging = AtomicDirectory::stage(target);
        AtomicFile::write(staging + "/state.json", "third");
        AtomicDirectory::commit(staging, target);
        QCOMPARE(AtomicDirectory::resolve(target), target);
        QVERIFY(!std::filesystem::exists(target + ".old"));
        QVERIFY(!std::filesystem::exists(staging));
    }

    // The baseline's scores must equal log p(word | prompt) read off the LM logits directly.
    void zeroShotScoresLabelWords() {
        const std::string root = m_dir.path().toStdString();
        const std::string data = root + "/zeroshot.txt";
        {
            std::ofstream out(data);
            out << "1 a wonderful and moving film\n0 a dull and tired story\n1 the cast was great\n";
        }
        ZeroShotOptions options;
        options.modelDir = m_model;
        options.dataFile = data;
        options.outDir = root + "/zeroshot-run";
        options.data.format = DataFormat::SentenceLabel;
        options.threads = 1;
        const ZeroShotReport report = ZeroShotBaseline::run(options);
        QCOMPARE(report.examples, 3);
        QCOMPARE(report.verbalizers.front().second, std::string("negative"));
        const RunRecord run = RunRecord::load(options.outDir);
        QCOMPARE(run.config.method, std::string("zeroshot"));
        QVERIFY(run.best().has_value());
        QCOMPARE(run.best()->accuracy, report.accuracy);
        QVERIFY(run.best()->evalLoss > 0.0); // cross-entropy of the verbalizer distribution

        // Independent check of example 1 through the inspection path's LM logits.
        auto engine = Engine::open(m_model, EngineOptions{"cpu", "auto", 1});
        Tokenizer tokenizer(m_model + "/tokenizer.model");
        double scores[2];
        const char* words[2] = {"negative", "positive"};
        for (int label = 0; label < 2; ++label) {
            const std::string prompt = "Review: a wonderful and moving film\nSentiment:";
            const auto promptIds = tokenizer.encode(prompt, true);
            const auto wordIds = tokenizer.encode(words[label], false);
            InspectRequest request;
            request.text = prompt + " " + words[label];
            request.wantAttention = false;
            const InspectResult result = engine->inspect(request);
            QCOMPARE(result.ids.size(), promptIds.size() + wordIds.size());
            scores[label] = 0.0;
            for (std::size_t k = 0; k < wordIds.size(); ++k) {
                const std::size_t position = promptIds.size() + k - 1; // predicts token k
                const float* row = result.logits.data() + position * result.vocabSize;
                double maxLogit = row[0], sum = 0.0;
                for (int v = 0; v < result.vocabSize; ++v)
                    maxLogit = std::max<double>(maxLogit, row[v]);
                for (int v = 0; v < result.vocabSize; ++v)
                    sum += std::exp(row[v] - maxLogit);
                scores[label] += row[wordIds[k]] - maxLogit - std::log(sum);
            }
        }
        const double expectedPositive = 1.0 / (1.0 + std::exp(scores[0] - scores[1]));
        // Named after the file scored, as fsllm eval names its evaluations (not "dev_").
        QCOMPARE(report.predictionsPath,
                 options.outDir + "/evaluations/zeroshot.txt.predictions.tsv");
        QCOMPARE(report.scoresPath, options.outDir + "/evaluations/zeroshot.txt.json");
        QVERIFY(!std::filesystem::exists(options.outDir + "/dev_predictions.tsv"));
        std::ifstream predictions(report.predictionsPath);
        std::string header, first;
        std::getline(predictions, header);
        std::getline(predictions, first);
        const QStringList fields = QString::fromStdString(first).split('\t');
        QCOMPARE(fields.size(), 5); // line, gold, predicted, p_0, p_1
        QVERIFY2(std::abs(fields[4].toDouble() - expectedPositive) < 1e-4,
                 qPrintable(fields[4] + " vs " + QString::number(expectedPositive)));
    }

    void runFolderHoldsEverything() {
        TrainingConfig config = lookAheadConfig("folder", {MaskMode::Bidirectional, 0.0});
        config.epochs = 1;
        TrainingJob job(config);
        const TrainingSummary summary = job.run(nullptr);
        for (const char* file : {"run.json", "metrics.jsonl", "train.log", "dev_predictions.conll",
                                 "best/adapter_config.json", "best/adapter_model.safetensors",
                                 "best/classifier.json", "checkpoint/optimizer.pt"})
            QVERIFY2(std::filesystem::exists(config.outDir + "/" + file), file);
        const TrainingConfig reread = TrainingConfig::load(config.outDir + "/run.json");
        QCOMPARE(reread.toJsonText(), config.toJsonText());
        // The run folder reproduces its best dev score through the eval path.
        auto run = ClassifierRun::open(config.outDir, EngineOptions{"cpu", "auto", 1});
        const EvaluationReport report = run->evaluate(m_dev, config.data);
        QVERIFY(std::abs(report.f1 - summary.best.f1) < 1e-6);
        QVERIFY(std::abs(report.accuracy - summary.best.accuracy) < 1e-6);
        // A second run into the same folder is refused: results are never overwritten.
        TrainingJob again(config);
        QVERIFY_THROWS_EXCEPTION(FsllmError, again.run(nullptr));
    }
};

QTEST_GUILESS_MAIN(TstTraining)
#include "tst_training.moc"
