// Crash consistency of a run folder. A simulated kill (FileFaults' Crash fault: nothing is cleaned
// up, as after kill -9) at every file-system step of every checkpoint and best/ save of a small
// run, then a resume: the run must be whole (metrics.jsonl parses, the checkpoint loads, training
// reaches the end with exactly one record per step, and every reader agrees on the best). Also: a
// full disk and a read-only folder while saving, two jobs on one folder, a kill before the first
// checkpoint, and a kill right after best/ was saved.
#include "atomicdirectory.h"
#include "atomicfile.h"
#include "bestrecord.h"
#include "classifierrun.h"
#include "filefaults.h"
#include "fsllmerror.h"
#include "runlock.h"
#include "runrecord.h"
#include "textfixture.h"
#include "tinycheckpoint.h"
#include "trainerstate.h"
#include "trainingjob.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace fsllm;

using fsllm::testing::readText;

namespace {

constexpr int kTrainExamples = 48, kDevExamples = 16, kBatch = 8, kEpochs = 2;
constexpr int kTotalSteps = kEpochs * kTrainExamples / kBatch; // 12, one record per step

// "label sentence" lines: label 1 exactly when the sentence holds "good".
void writeSentences(const std::string& path, int count, unsigned seed) {
    const char* words[] = {"the", "film", "was", "a", "story", "and", "of", "it"};
    std::mt19937 random(seed);
    std::ofstream out(path);
    for (int i = 0; i < count; ++i) {
        const bool positive = i % 2 == 0;
        out << (positive ? "1" : "0");
        for (int w = 0; w < 5; ++w)
            out << " " << words[random() % 8];
        out << (positive ? " good" : " bad") << "\n";
    }
}

struct TraceStep {
    long index = 0;
    std::string kind, path;
};

std::vector<TraceStep> parseTrace(const std::vector<std::string>& lines) {
    std::vector<TraceStep> steps;
    for (const std::string& line : lines) {
        std::istringstream in(line);
        TraceStep step;
        in >> step.index >> step.kind;
        std::getline(in >> std::ws, step.path);
        steps.push_back(step);
    }
    return steps;
}

bool isSavePath(const std::string& path) {
    return path.find("/checkpoint") != std::string::npos ||
           path.find("/best") != std::string::npos ||
           path.find("/dev_predictions") != std::string::npos;
}

// How one attempt ended.
struct Outcome {
    bool completed = false;
    bool crashed = false;
    std::string error; // FsllmError message
};

class PausingObserver : public TrainingObserver {
public:
    std::function<void(const StepRecord&)> stepHook;
    int steps = 0;
    void onStep(const StepRecord& record) override {
        ++steps;
        if (stepHook)
            stepHook(record);
    }
};

} // namespace

class TstCrashConsistency : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::string m_model, m_train, m_dev;
    std::vector<TraceStep> m_trace; // the uninterrupted reference run's file-system steps
    std::vector<long> m_savePoints; // indices of steps in checkpoint/best saves, and the step after
    int m_runCount = 0;

    TrainingConfig config(const std::string& outDir) const {
        TrainingConfig c;
        c.modelDir = m_model;
        c.trainFile = m_train;
        c.devFile = m_dev;
        c.outDir = outDir;
        c.data.task = TaskKind::Sequence;
        c.data.format = DataFormat::SentenceLabel;
        c.loraRank = 4;
        c.loraDropout = 0.0;
        c.learningRate = 5e-3;
        c.batchSize = kBatch;
        c.epochs = kEpochs;
        c.evalEvery = 4; // evaluations at steps 4, 6 (epoch end), 8, 12
        c.logEvery = 1;
        c.maxLength = 16;
        c.seed = 5;
        c.threads = 1;
        return c;
    }
    std::string freshDir() {
        return m_dir.path().toStdString() + "/run" + std::to_string(++m_runCount);
    }

    // Runs a new job into `outDir` with `mode` at step `at` of the fault counter.
    Outcome attempt(const std::string& outDir, FaultMode mode, long at, bool resume = false) {
        Outcome outcome;
        FileFaults::set(mode, at);
        try {
            auto job = resume ? TrainingJob::resuming(outDir)
                              : std::make_unique<TrainingJob>(config(outDir));
            outcome.completed = job->run(nullptr).completed;
        } catch (const SimulatedCrash&) {
            outcome.crashed = true;
        } catch (const FsllmError& e) {
            outcome.error = e.what();
        }
        FileFaults::reset();
        return outcome;
    }

    // Readers agree on the best: metrics (RunRecord), best/best.json and the adapter itself.
    QString bestDisagreement(const std::string& outDir, bool evaluateAdapter) {
        const RunRecord run = RunRecord::load(outDir);
        const std::optional<BestRecord> best = BestRecord::read(outDir);
        if (!best)
            return run.best() ? "metrics name a best but best/ has no best.json" : QString();
        if (!run.best() || run.best()->step != best->eval.step)
            return QString("RunRecord best step %1, best.json step %2")
                .arg(run.best() ? run.best()->step : -1)
                .arg(best->eval.step);
        if (evaluateAdapter) {
            auto classifier = ClassifierRun::open(outDir, EngineOptions{"cpu", "auto", 1});
            const EvaluationReport report = classifier->evaluate(m_dev, config(outDir).data);
            if (std::abs(report.accuracy - run.best()->accuracy) > 1e-6 ||
                std::abs(report.loss - run.best()->evalLoss) > 1e-4)
                return QString("best/ evaluates to accuracy %1 loss %2, the records say %3 / %4")
                    .arg(report.accuracy)
                    .arg(report.loss)
                    .arg(run.best()->accuracy)
                    .arg(run.best()->evalLoss);
        }
        return {};
    }

    // A finished run is whole: one step record per step in order, evaluations in order, a
    // checkpoint at the last step, readers agreeing on the best.
    QString wholeness(const std::string& outDir, bool evaluateAdapter) {
        const RunRecord run = RunRecord::load(outDir);
        if (static_cast<int>(run.steps.size()) != kTotalSteps)
            return QString("%1 step records, expected %2").arg(run.steps.size()).arg(kTotalSteps);
        for (int i = 0; i < kTotalSteps; ++i)
            if (run.steps[static_cast<std::size_t>(i)].step != i + 1)
                return QString("step record %1 is step %2").arg(i).arg(run.steps[i].step);
        for (std::size_t i = 1; i < run.evals.size(); ++i)
            if (run.evals[i].step <= run.evals[i - 1].step)
                return QString("evaluation records out of order at %1").arg(i);
        const std::string checkpoint = AtomicDirectory::resolve(outDir + "/checkpoint");
        if (checkpoint.empty())
            return "no checkpoint";
        if (TrainerState::load(checkpoint + "/state.json").step != kTotalSteps)
            return "the checkpoint is not at the last step";
        return bestDisagreement(outDir, evaluateAdapter);
    }

    // The save steps of the n-th (1-based) checkpoint save of the reference run.
    std::vector<long> checkpointSave(int n) const {
        std::vector<long> steps;
        int seen = 0;
        for (const TraceStep& step : m_trace) {
            const bool inCheckpoint = step.path.find("/checkpoint") != std::string::npos;
            if (inCheckpoint && step.kind == "mkdir")
                ++seen;
            if (seen == n && inCheckpoint)
                steps.push_back(step.index);
            if (seen > n)
                break;
        }
        return steps;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        // Kills here are simulated in-process: the page cache survives them, so the fsync calls
        // (still counted and faulted as steps) are skipped to keep the suite fast on a busy disk.
        // tst_clirecovery kills real processes with syncing on.
        FileFaults::setSyncEnabled(false);
        const std::string root = m_dir.path().toStdString();
        m_model = root + "/model";
        TinyCheckpointOptions options;
        options.layers = 1;
        options.hidden = 32;
        options.heads = 4;
        options.kvHeads = 2;
        options.vocab = 512;
        options.seed = 7;
        options.corpusPath = std::string(FSLLM_SOURCE_DIR) + "/resources/corpus/tiny_corpus.txt";
        TinyCheckpoint::write(m_model, options);
        m_train = root + "/train.txt";
        m_dev = root + "/dev.txt";
        writeSentences(m_train, kTrainExamples, 1);
        writeSentences(m_dev, kDevExamples, 2);

        // The uninterrupted reference run, with every file-system step traced.
        const std::string reference = freshDir();
        FileFaults::reset();
        FileFaults::setTracing(true);
        TrainingJob job(config(reference));
        QVERIFY(job.run(nullptr).completed);
        m_trace = parseTrace(FileFaults::trace());
        FileFaults::setTracing(false);
        FileFaults::reset();
        const QString whole = wholeness(reference, true);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));

        // Every save up to the end of epoch 1: the early checkpoint (step 1), the best/ saves
        // and checkpoints of the evaluations at steps 4 and 6. Later saves repeat the same steps.
        const long lastPoint = checkpointSave(3).back() + 1;
        for (std::size_t i = 0; i < m_trace.size() && m_trace[i].index <= lastPoint; ++i) {
            if (!isSavePath(m_trace[i].path))
                continue;
            m_savePoints.push_back(m_trace[i].index);
            // ... and the step right after a save (the kill between a save and the records).
            if (i + 1 < m_trace.size() && !isSavePath(m_trace[i + 1].path))
                m_savePoints.push_back(m_trace[i + 1].index);
        }
        qInfo("reference run: %zu file-system steps, %zu in or right after checkpoint/best saves",
              m_trace.size(), m_savePoints.size());
        QVERIFY(m_savePoints.size() > 100);
    }

    // Each step of an atomic write can fail; the target keeps its old content, no temp is left.
    void atomicWriteFailsCleanlyAtEachStep() {
        const std::string folder = freshDir();
        std::filesystem::create_directories(folder);
        const std::string path = folder + "/file.json";
        AtomicFile::write(path, "old");
        FileFaults::reset();
        FileFaults::setTracing(true);
        AtomicFile::write(path, "new");
        const std::vector<TraceStep> steps = parseTrace(FileFaults::trace());
        FileFaults::setTracing(false);
        QStringList kinds;
        for (const TraceStep& step : steps)
            kinds << QString::fromStdString(step.kind);
        QCOMPARE(kinds.join(' '), QString("create write fsync rename fsync"));
        for (long at = 1; at <= 4; ++at) { // the folder fsync is best effort
            FileFaults::set(FaultMode::FailOnce, at);
            try {
                AtomicFile::write(path, "newer");
                QFAIL("an injected ENOSPC must fail the write");
            } catch (const FsllmError& e) {
                QVERIFY2(std::strstr(e.what(), std::strerror(ENOSPC)), e.what());
                QVERIFY2(std::strstr(e.what(), path.c_str()), e.what());
            }
            FileFaults::reset();
            QCOMPARE(readText(path), std::string("new"));
            QCOMPARE(std::distance(std::filesystem::directory_iterator(folder),
                                   std::filesystem::directory_iterator()),
                     std::ptrdiff_t(1)); // no temporary file left
        }
    }

    // optimizer.pt goes through the atomic write path: written and fsynced before the
    // checkpoint folder is renamed into place (it used to be the one file torch::save wrote).
    void optimizerStateIsSyncedBeforeTheFolderRename() {
        const std::vector<long> save = checkpointSave(2);
        QVERIFY(!save.empty());
        bool synced = false, renamedAfterSync = false;
        for (long index : save) {
            const TraceStep& step = m_trace[static_cast<std::size_t>(index - 1)];
            if (step.kind == "fsync" && step.path.find("/optimizer.pt.tmp-") != std::string::npos)
                synced = true;
            if (step.kind == "rename" && QString::fromStdString(step.path).endsWith("/checkpoint"))
                renamedAfterSync = synced;
        }
        QVERIFY(synced);
        QVERIFY(renamedAfterSync);
    }

    // The point of the suite: a kill at every step of every save, then resume.
    void killAtEverySaveStepThenResume() {
        int crashed = 0, bestChecks = 0;
        const auto started = std::chrono::steady_clock::now();
        for (long at : m_savePoints) {
            const std::string outDir = freshDir();
            const Outcome killed = attempt(outDir, FaultMode::Crash, at);
            QVERIFY2(killed.crashed,
                     qPrintable(
                         QString("step %1: %2").arg(at).arg(QString::fromStdString(killed.error))));
            ++crashed;
            // Right after the kill, before any repair: readers open the folder and agree.
            const bool bestStep =
                m_trace[static_cast<std::size_t>(at - 1)].path.find("/best") != std::string::npos;
            const QString before = bestDisagreement(outDir, bestStep);
            QVERIFY2(before.isEmpty(),
                     qPrintable(QString("step %1 (%2 %3): %4")
                                    .arg(at)
                                    .arg(QString::fromStdString(m_trace[at - 1].kind))
                                    .arg(QString::fromStdString(m_trace[at - 1].path))
                                    .arg(before)));
            bestChecks += bestStep;
            const Outcome resumed = attempt(outDir, FaultMode::None, 0, /*resume=*/true);
            QVERIFY2(resumed.completed,
                     qPrintable(QString("resume after a kill at step %1: %2")
                                    .arg(at)
                                    .arg(QString::fromStdString(resumed.error))));
            const QString whole = wholeness(outDir, bestStep);
            QVERIFY2(whole.isEmpty(),
                     qPrintable(QString("kill at step %1 (%2 %3): %4")
                                    .arg(at)
                                    .arg(QString::fromStdString(m_trace[at - 1].kind))
                                    .arg(QString::fromStdString(m_trace[at - 1].path))
                                    .arg(whole)));
            std::filesystem::remove_all(outDir);
        }
        qInfo("simulated kills: %d fault points (best/ evaluated at %d), %.1f s", crashed,
              bestChecks,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }

    // Killed right after best/ was swapped in, before metrics.jsonl got the line: every reader
    // already says what best/ says, and a resume keeps it so.
    void killAfterBestSavedKeepsReadersInAgreement() {
        long after = 0;
        for (std::size_t i = 0; i + 1 < m_trace.size() && !after; ++i)
            if (m_trace[i].kind == "rename" &&
                QString::fromStdString(m_trace[i].path).endsWith("/best"))
                after = m_trace[i].index + 1;
        QVERIFY(after > 0);
        const std::string outDir = freshDir();
        QVERIFY(attempt(outDir, FaultMode::Crash, after).crashed);
        const std::optional<BestRecord> best = BestRecord::read(outDir);
        QVERIFY(best.has_value());
        QVERIFY2(readText(outDir + "/metrics.jsonl").find("\"best\":true") == std::string::npos,
                 "the kill point must precede the metrics line of the best evaluation");
        const RunRecord run = RunRecord::load(outDir);
        QVERIFY(run.best().has_value());
        QCOMPARE(run.best()->step, best->eval.step);
        const QString agree = bestDisagreement(outDir, true);
        QVERIFY2(agree.isEmpty(), qPrintable(agree));
        QVERIFY(attempt(outDir, FaultMode::None, 0, true).completed);
        const QString whole = wholeness(outDir, true);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));
    }

    // A full disk during a checkpoint save: a clean error, the previous checkpoint survives and
    // the run resumes from it once there is space.
    void diskFullKeepsThePreviousCheckpoint() {
        const std::vector<long> save = checkpointSave(3);
        QVERIFY(!save.empty());
        const std::vector<long> previous = checkpointSave(2);
        for (long at : {save.front(), save[save.size() / 2]}) {
            const std::string outDir = freshDir();
            const Outcome full = attempt(outDir, FaultMode::DiskFull, at);
            QVERIFY(!full.completed && !full.crashed);
            QVERIFY2(full.error.find("saving the checkpoint of step") != std::string::npos,
                     full.error.c_str());
            QVERIFY2(full.error.find(std::strerror(ENOSPC)) != std::string::npos,
                     full.error.c_str());
            QVERIFY2(full.error.find("keeps the previous one") != std::string::npos,
                     full.error.c_str());
            QVERIFY(full.error.find('\n') == std::string::npos);
            const std::string checkpoint = AtomicDirectory::resolve(outDir + "/checkpoint");
            QVERIFY(!checkpoint.empty());
            const int kept = TrainerState::load(checkpoint + "/state.json").step;
            QVERIFY2(kept > 0 && kept < kTotalSteps, QByteArray::number(kept));
            int stagingLeft = 0;
            for (const auto& entry : std::filesystem::directory_iterator(outDir))
                stagingLeft +=
                    entry.path().filename().string().find(".staging") != std::string::npos;
            QCOMPARE(stagingLeft, 0); // the failed save's space is given back
            QVERIFY(attempt(outDir, FaultMode::None, 0, true).completed);
            const QString whole = wholeness(outDir, false);
            QVERIFY2(whole.isEmpty(), qPrintable(whole));
        }
        QVERIFY(!previous.empty());
    }

    // ENOSPC once at every step of a checkpoint save and of a best save: never a crash, the run
    // either finishes (best-effort steps) or stops with one clean line, and resumes.
    void enospcAtEachSaveStepIsACleanError() {
        std::vector<long> points = checkpointSave(2);
        for (const TraceStep& step : m_trace)
            if (step.path.find("/best") != std::string::npos && step.index > points.back()) {
                points.push_back(step.index);
                if (m_trace[step.index].path.find("/best") == std::string::npos)
                    break; // the end of that best save
            }
        int errors = 0;
        for (long at : points) {
            const std::string outDir = freshDir();
            const Outcome failed = attempt(outDir, FaultMode::FailOnce, at);
            QVERIFY(!failed.crashed);
            if (!failed.completed) {
                ++errors;
                QVERIFY2(failed.error.find(std::strerror(ENOSPC)) != std::string::npos,
                         failed.error.c_str());
                QVERIFY(failed.error.find('\n') == std::string::npos);
                QVERIFY(attempt(outDir, FaultMode::None, 0, true).completed);
            }
            const QString whole = wholeness(outDir, false);
            QVERIFY2(whole.isEmpty(), qPrintable(QString("ENOSPC at %1: %2").arg(at).arg(whole)));
            std::filesystem::remove_all(outDir);
        }
        qInfo("ENOSPC once: %zu fault points, %d clean errors", points.size(), errors);
        QVERIFY(errors > static_cast<int>(points.size()) / 2);
    }

    // A run folder that turns read-only: the lock cannot be taken (from the start), or a
    // checkpoint cannot be saved (mid-run). Clean errors naming the path.
    void readOnlyRunFolder() {
        const std::string outDir = freshDir();
        const Outcome atStart = attempt(outDir, FaultMode::ReadOnly, 1);
        QVERIFY2(atStart.error.find(outDir + "/.lock") != std::string::npos, atStart.error.c_str());
        QVERIFY2(atStart.error.find(std::strerror(EROFS)) != std::string::npos,
                 atStart.error.c_str());
        const std::vector<long> save = checkpointSave(3);
        const std::string midRun = freshDir();
        const Outcome failed = attempt(midRun, FaultMode::ReadOnly, save.front());
        QVERIFY2(failed.error.find(std::strerror(EROFS)) != std::string::npos,
                 failed.error.c_str());
        QVERIFY2(failed.error.find("keeps the previous one") != std::string::npos,
                 failed.error.c_str());
        QVERIFY(attempt(midRun, FaultMode::None, 0, true).completed);
        const QString whole = wholeness(midRun, false);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));
    }

    // Killed before the first checkpoint: both --resume and a new run into the folder start it
    // again from step 0 (it used to be a dead end).
    void killBeforeFirstCheckpointIsNotADeadEnd() {
        const long firstSave = checkpointSave(1).front();
        const std::string resumed = freshDir();
        QVERIFY(attempt(resumed, FaultMode::Crash, firstSave).crashed);
        QVERIFY(std::filesystem::exists(resumed + "/run.json"));
        QVERIFY(AtomicDirectory::resolve(resumed + "/checkpoint").empty());
        QVERIFY(attempt(resumed, FaultMode::None, 0, true).completed);
        QVERIFY(readText(resumed + "/train.log").find("starting it again from step 0") !=
                std::string::npos);
        QString whole = wholeness(resumed, false);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));

        const std::string restarted = freshDir();
        QVERIFY(attempt(restarted, FaultMode::Crash, firstSave).crashed);
        QVERIFY(attempt(restarted, FaultMode::None, 0).completed);
        whole = wholeness(restarted, false);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));
        // A folder with results is still refused to a new run.
        const Outcome again = attempt(restarted, FaultMode::None, 0);
        QVERIFY2(again.error.find("already holds a run") != std::string::npos, again.error.c_str());
    }

    // The first checkpoint is saved right after the first optimizer step.
    void firstCheckpointAfterTheFirstStep() {
        QVERIFY(!checkpointSave(1).empty());
        const TraceStep* firstRecordOfStep2 = nullptr;
        int metricsAppends = 0;
        for (const TraceStep& step : m_trace)
            if (step.kind == "create" && step.path.find("/metrics.jsonl") != std::string::npos &&
                ++metricsAppends == 2) { // step 1's record, then step 2's
                firstRecordOfStep2 = &step;
                break;
            }
        QVERIFY(firstRecordOfStep2);
        QVERIFY(checkpointSave(1).front() < firstRecordOfStep2->index);
    }

    // Two jobs on one folder: the second is refused while the first runs, in one process (flock
    // is per open file description) as across processes; nothing of the first is disturbed.
    void secondJobOnTheSameFolderIsRefused() {
        {
            const std::string folder = freshDir();
            std::filesystem::create_directories(folder);
            RunLock first(folder);
            try {
                RunLock second(folder);
                QFAIL("a second lock on the same folder must fail");
            } catch (const FsllmError& e) {
                QCOMPARE(QString(e.what()).section(';', 0, 0),
                         QString("run folder %1 is in use by another job (pid %2)")
                             .arg(QString::fromStdString(folder))
                             .arg(::getpid()));
            }
        }
        const std::string outDir = freshDir();
        TrainingJob first(config(outDir));
        PausingObserver observer;
        std::atomic<bool> atStep3{false};
        observer.stepHook = [&](const StepRecord& record) {
            if (record.step == 3) {
                first.setPaused(true);
                atStep3 = true;
            }
        };
        bool completed = false;
        std::thread runner([&] { completed = first.run(&observer).completed; });
        while (!atStep3)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        const std::string expected = "run folder " + outDir + " is in use by another job (pid " +
                                     std::to_string(::getpid()) + ")";
        const Outcome fresh = attempt(outDir, FaultMode::None, 0);
        const Outcome resumed = attempt(outDir, FaultMode::None, 0, true);
        first.setPaused(false);
        runner.join();
        QVERIFY2(fresh.error.rfind(expected, 0) == 0, fresh.error.c_str());
        QVERIFY2(resumed.error.rfind(expected, 0) == 0, resumed.error.c_str());
        QVERIFY(completed);
        QCOMPARE(observer.steps, kTotalSteps);
        const QString whole = wholeness(outDir, false);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));
        // Released when the job ends: the folder can be resumed (it is finished: no steps left).
        QVERIFY(attempt(outDir, FaultMode::None, 0, true).completed);
    }
};

QTEST_GUILESS_MAIN(TstCrashConsistency)
#include "tst_crashconsistency.moc"
