// Recovery of `fsllm train` run as a real process: kill -9 (FSLLM_FAULT=kill@N) at every
// file-system step of a checkpoint save and of the best/ save before it, then `train --resume`
// must finish a whole run; SIGTERM stops like Ctrl-C; a second process on a running folder is
// refused; a full disk and a read-only folder give one clean line (exit 2); a run killed before
// its first checkpoint can be resumed or started again; `predict` refuses a run folder whose
// run.json and best/classifier.json disagree on the task.
#include "bestrecord.h"
#include "runrecord.h"
#include "trainerstate.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace {

constexpr int kTimeoutMs = 120'000;
constexpr int kTotalSteps = 12; // 2 epochs x 48 examples / batch 8

struct CliRun {
    bool finished = false;
    QProcess::ExitStatus status = QProcess::CrashExit;
    int exitCode = -1;
    QByteArray out, err;
};

QProcessEnvironment environmentWith(const QString& fault, const QString& trace = {}) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("FSLLM_FAULT");
    environment.remove("FSLLM_FAULT_TRACE");
    if (!fault.isEmpty())
        environment.insert("FSLLM_FAULT", fault);
    if (!trace.isEmpty())
        environment.insert("FSLLM_FAULT_TRACE", trace);
    return environment;
}

CliRun runCli(const QStringList& args, const QString& fault = {}, const QString& trace = {}) {
    QProcess process;
    process.setProgram(QStringLiteral(FSLLM_CLI_PATH));
    process.setArguments(args);
    process.setProcessEnvironment(environmentWith(fault, trace));
    CliRun run;
    process.start();
    if (!process.waitForStarted(kTimeoutMs))
        return run;
    if (!process.waitForFinished(kTimeoutMs)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.finished = true;
    run.status = process.exitStatus();
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QString describe(const CliRun& run) {
    if (!run.finished)
        return "did not finish";
    return QString("%1 exit %2; stderr: %3")
        .arg(run.status == QProcess::NormalExit ? "normal" : "crash")
        .arg(run.exitCode)
        .arg(QString::fromUtf8(run.err));
}

bool succeeded(const CliRun& run) {
    return run.finished && run.status == QProcess::NormalExit && run.exitCode == 0;
}

// Empty when `run` exited 2 with one stderr line holding every fragment.
QString refusalProblem(const CliRun& run, const QStringList& fragments) {
    if (!run.finished || run.status != QProcess::NormalExit || run.exitCode != 2)
        return describe(run);
    const QStringList lines = QString::fromUtf8(run.err).trimmed().split('\n');
    if (lines.size() != 1)
        return QString("%1 stderr lines: %2").arg(lines.size()).arg(QString::fromUtf8(run.err));
    for (const QString& fragment : fragments)
        if (!lines.first().contains(fragment))
            return QString("'%1' not in: %2").arg(fragment, lines.first());
    return {};
}

void writeSentences(const QString& path, int count, unsigned seed) {
    const char* words[] = {"the", "film", "was", "a", "story", "and", "of", "it"};
    std::mt19937 random(seed);
    std::ofstream out(path.toStdString());
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
    QString kind, path;
};

std::vector<TraceStep> readTrace(const QString& path) {
    std::vector<TraceStep> steps;
    std::ifstream in(path.toStdString());
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        TraceStep step;
        std::string kind, rest;
        fields >> step.index >> kind;
        std::getline(fields >> std::ws, rest);
        step.kind = QString::fromStdString(kind);
        step.path = QString::fromStdString(rest);
        steps.push_back(step);
    }
    return steps;
}

QByteArray readFile(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool writeFile(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
           file.write(bytes) == bytes.size();
}

void copyFolder(const QString& from, const QString& to) {
    QDir().mkpath(to);
    for (const QFileInfo& entry :
         QDir(from).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden)) {
        const QString target = to + '/' + entry.fileName();
        if (entry.isDir())
            copyFolder(entry.filePath(), target);
        else
            QFile::copy(entry.filePath(), target);
    }
}

// Whether metrics.jsonl holds a step record yet (the job is past its first step).
bool hasStepRecord(const QString& runDir) {
    return readFile(runDir + "/metrics.jsonl").contains("\"type\":\"step\"");
}

} // namespace

class TstCliRecovery : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_root;
    QString m_model, m_train, m_dev, m_reference;
    std::vector<TraceStep> m_trace;
    int m_runs = 0;

    QString freshDir() { return m_root.filePath(QString("run%1").arg(++m_runs)); }

    QStringList trainArgs(const QString& out, int epochs = 2) const {
        return {"train",
                "--model",
                m_model,
                "--task",
                "seq",
                "--train",
                m_train,
                "--dev",
                m_dev,
                "--out",
                out,
                "--format",
                "sentence",
                "--lora-rank",
                "4",
                "--lora-dropout",
                "0",
                "--lr",
                "5e-3",
                "--batch-size",
                "8",
                "--epochs",
                QString::number(epochs),
                "--eval-every",
                "4",
                "--log-every",
                "1",
                "--max-length",
                "16",
                "--seed",
                "5",
                "--threads",
                "1"};
    }

    // The index of the file-system steps of the n-th checkpoint save (1-based).
    std::vector<long> checkpointSave(int n) const {
        std::vector<long> steps;
        int seen = 0;
        for (const TraceStep& step : m_trace) {
            const bool inCheckpoint = step.path.contains("/checkpoint");
            if (inCheckpoint && step.kind == "mkdir")
                ++seen;
            if (seen == n && inCheckpoint)
                steps.push_back(step.index);
            if (seen > n)
                break;
        }
        return steps;
    }

    // Empty when the finished run in `runDir` is whole (see tst_crashconsistency).
    QString wholeness(const QString& runDir) const {
        try {
            const fsllm::RunRecord run = fsllm::RunRecord::load(runDir.toStdString());
            if (static_cast<int>(run.steps.size()) != kTotalSteps)
                return QString("%1 step records, expected %2")
                    .arg(run.steps.size())
                    .arg(kTotalSteps);
            for (int i = 0; i < kTotalSteps; ++i)
                if (run.steps[static_cast<std::size_t>(i)].step != i + 1)
                    return QString("step record %1 is step %2").arg(i).arg(run.steps[i].step);
            const QString checkpoint = QDir(runDir + "/checkpoint").exists()
                                           ? runDir + "/checkpoint"
                                           : runDir + "/checkpoint.old";
            if (fsllm::TrainerState::load((checkpoint + "/state.json").toStdString()).step !=
                kTotalSteps)
                return "the checkpoint is not at the last step";
            const auto best = fsllm::BestRecord::read(runDir.toStdString());
            if (!best || !run.best() || run.best()->step != best->eval.step)
                return "metrics and best/ disagree on the best";
        } catch (const std::exception& e) {
            return QString("reading the run: ") + e.what();
        }
        return {};
    }

    // Accuracy of `eval --run` on dev (what best/ holds), from its JSON report.
    double evalAccuracy(const QString& runDir) {
        const QString json = runDir + "-eval.json";
        const CliRun run = runCli({"eval", "--run", runDir, "--data", m_dev, "--json", json});
        if (!succeeded(run)) {
            qWarning("eval failed: %s", qPrintable(describe(run)));
            return -1.0;
        }
        return nlohmann::json::parse(readFile(json).toStdString()).at("accuracy").get<double>();
    }

private slots:
    void initTestCase() {
        QVERIFY(m_root.isValid());
        m_model = m_root.filePath("tiny");
        const CliRun init = runCli({"init-tiny", "--out", m_model, "--layers", "1", "--hidden",
                                    "32", "--heads", "4", "--kv-heads", "2", "--vocab", "512"});
        QVERIFY2(succeeded(init), qPrintable(describe(init)));
        m_train = m_root.filePath("train.txt");
        m_dev = m_root.filePath("dev.txt");
        writeSentences(m_train, 48, 1);
        writeSentences(m_dev, 16, 2);
        m_reference = freshDir();
        const QString trace = m_root.filePath("trace.txt");
        const CliRun reference = runCli(trainArgs(m_reference), {}, trace);
        QVERIFY2(succeeded(reference), qPrintable(describe(reference)));
        m_trace = readTrace(trace);
        QVERIFY(m_trace.size() > 100);
        const QString whole = wholeness(m_reference);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));
    }

    // kill -9 at each step of the second checkpoint save (a previous one exists) and right after
    // it: `train --resume` finishes a whole run every time. (tst_crashconsistency covers every
    // step of the best/ saves too, with a simulated kill in one process.)
    void killAtEveryStepOfACheckpointSaveThenResume() {
        const std::vector<long> checkpoint = checkpointSave(2);
        QVERIFY(!checkpoint.empty());
        std::vector<long> points;
        for (long index = checkpoint.front(); index <= checkpoint.back() + 1; ++index)
            points.push_back(index);
        QElapsedTimer timer;
        timer.start();
        for (long at : points) {
            const QString out = freshDir();
            const CliRun killed = runCli(trainArgs(out), QString("kill@%1").arg(at));
            QVERIFY2(killed.finished && killed.status == QProcess::CrashExit,
                     qPrintable(QString("kill@%1: %2").arg(at).arg(describe(killed))));
            const CliRun resumed = runCli({"train", "--resume", out});
            QVERIFY2(
                succeeded(resumed),
                qPrintable(QString("resume after kill@%1: %2").arg(at).arg(describe(resumed))));
            const QString whole = wholeness(out);
            QVERIFY2(whole.isEmpty(),
                     qPrintable(QString("kill@%1 (%2 %3): %4")
                                    .arg(at)
                                    .arg(m_trace[at - 1].kind, m_trace[at - 1].path, whole)));
            QDir(out).removeRecursively();
        }
        qInfo("kill -9 at %zu file-system steps (the checkpoint save and the step after it): "
              "%.1f s",
              points.size(), timer.elapsed() / 1000.0);
        QVERIFY(points.size() > 20);
    }

    // Killed right after best/ was renamed into place: `eval --run` and the records agree.
    void killAfterBestSavedEvalAgreesWithRecords() {
        long after = 0;
        for (const TraceStep& step : m_trace)
            if (step.kind == "rename" && step.path.endsWith("/best")) {
                after = step.index + 1;
                break;
            }
        QVERIFY(after > 0);
        const QString out = freshDir();
        const CliRun killed = runCli(trainArgs(out), QString("kill@%1").arg(after));
        QVERIFY2(killed.status == QProcess::CrashExit, qPrintable(describe(killed)));
        const fsllm::RunRecord run = fsllm::RunRecord::load(out.toStdString());
        QVERIFY(run.best().has_value());
        QVERIFY(!readFile(out + "/metrics.jsonl").contains("\"best\":true"));
        QVERIFY(std::abs(evalAccuracy(out) - run.best()->accuracy) < 1e-9);
        QVERIFY(succeeded(runCli({"train", "--resume", out})));
        const QString whole = wholeness(out);
        QVERIFY2(whole.isEmpty(), qPrintable(whole));
        const fsllm::RunRecord finished = fsllm::RunRecord::load(out.toStdString());
        QVERIFY(std::abs(evalAccuracy(out) - finished.best()->accuracy) < 1e-9);
    }

    // SIGTERM stops like Ctrl-C: the step finishes, a checkpoint is saved, the same exit code and
    // resume hint.
    void sigtermStopsLikeCtrlC() {
        int codes[2] = {-1, -1};
        const int stopSignals[2] = {SIGINT, SIGTERM};
        for (int i = 0; i < 2; ++i) {
            const QString out = freshDir();
            QProcess process;
            process.setProgram(QStringLiteral(FSLLM_CLI_PATH));
            process.setArguments(trainArgs(out, 500));
            process.setProcessEnvironment(environmentWith({}));
            process.start();
            QVERIFY(process.waitForStarted(kTimeoutMs));
            QElapsedTimer timer;
            timer.start();
            while (!hasStepRecord(out) && timer.elapsed() < kTimeoutMs)
                QTest::qWait(20);
            QVERIFY(hasStepRecord(out));
            ::kill(static_cast<pid_t>(process.processId()), stopSignals[i]);
            QVERIFY(process.waitForFinished(kTimeoutMs));
            QCOMPARE(process.exitStatus(), QProcess::NormalExit);
            codes[i] = process.exitCode();
            const QString output = QString::fromUtf8(process.readAllStandardOutput());
            QVERIFY2(output.contains("stopped; continue with: fsllm train --resume " + out),
                     qPrintable(output));
            const fsllm::TrainerState state =
                fsllm::TrainerState::load((out + "/checkpoint/state.json").toStdString());
            const fsllm::RunRecord run = fsllm::RunRecord::load(out.toStdString());
            QVERIFY(state.step >= 1);
            QCOMPARE(run.steps.back().step, state.step); // stopped at a step boundary, saved
        }
        QCOMPARE(codes[1], codes[0]);
        QCOMPARE(codes[0], 0);
    }

    // A second process on a folder a job is writing: exit 2 naming the folder and the pid.
    void secondProcessOnARunningFolderIsRefused() {
        const QString out = freshDir();
        QProcess first;
        first.setProgram(QStringLiteral(FSLLM_CLI_PATH));
        first.setArguments(trainArgs(out, 500));
        first.setProcessEnvironment(environmentWith({}));
        first.start();
        QVERIFY(first.waitForStarted(kTimeoutMs));
        QElapsedTimer timer;
        timer.start();
        while (!hasStepRecord(out) && timer.elapsed() < kTimeoutMs)
            QTest::qWait(20);
        const QString expected = QString("error: run folder %1 is in use by another job (pid %2)")
                                     .arg(out)
                                     .arg(first.processId());
        const CliRun fresh = runCli(trainArgs(out));
        const CliRun resumed = runCli({"train", "--resume", out});
        ::kill(static_cast<pid_t>(first.processId()), SIGTERM);
        QVERIFY(first.waitForFinished(kTimeoutMs));
        QCOMPARE(first.exitCode(), 0);
        for (const CliRun* second : {&fresh, &resumed}) {
            const QString problem = refusalProblem(*second, {expected});
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
        // The first job's records are untouched: one per step, in order.
        const fsllm::RunRecord run = fsllm::RunRecord::load(out.toStdString());
        for (std::size_t i = 0; i < run.steps.size(); ++i)
            QCOMPARE(run.steps[i].step, static_cast<int>(i) + 1);
    }

    // A full disk while saving a checkpoint, and a read-only run folder: one clean line, exit 2.
    void fullDiskAndReadOnlyFolderAreCleanErrors() {
        const long save = checkpointSave(3).front();
        const QString out = freshDir();
        const CliRun full = runCli(trainArgs(out), QString("full@%1").arg(save));
        QString problem = refusalProblem(full, {"saving the checkpoint of step",
                                                std::strerror(ENOSPC), "keeps the previous one"});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(succeeded(runCli({"train", "--resume", out})));
        problem = wholeness(out);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        const QString readOnly = freshDir();
        const CliRun refused = runCli(trainArgs(readOnly), "readonly@1");
        problem = refusalProblem(refused, {readOnly + "/.lock", std::strerror(EROFS)});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const CliRun midRun = runCli(trainArgs(freshDir()), QString("readonly@%1").arg(save));
        problem = refusalProblem(midRun, {std::strerror(EROFS), "keeps the previous one"});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // Killed before the first checkpoint: --resume and a new run into the folder both work.
    void killBeforeFirstCheckpointCanResumeOrRestart() {
        const long first = checkpointSave(1).front();
        for (const bool viaResume : {true, false}) {
            const QString out = freshDir();
            const CliRun killed = runCli(trainArgs(out), QString("kill@%1").arg(first));
            QVERIFY2(killed.status == QProcess::CrashExit, qPrintable(describe(killed)));
            QVERIFY(QFile::exists(out + "/run.json"));
            const CliRun again =
                viaResume ? runCli({"train", "--resume", out}) : runCli(trainArgs(out));
            QVERIFY2(succeeded(again), qPrintable(describe(again)));
            QVERIFY(readFile(out + "/train.log").contains("starting it again from step 0"));
            const QString whole = wholeness(out);
            QVERIFY2(whole.isEmpty(), qPrintable(whole));
        }
    }

    // run.json and best/classifier.json disagreeing on the task: exit 2 and one line naming both
    // files, in both directions (one used to crash, the other printed an empty line).
    void predictRefusesMismatchedTask() {
        for (const bool editRunJson : {true, false}) {
            const QString out = freshDir();
            copyFolder(m_reference, out);
            const QString file = editRunJson ? out + "/run.json" : out + "/best/classifier.json";
            nlohmann::json object = nlohmann::json::parse(readFile(file).toStdString());
            QCOMPARE(object.at("task").get<std::string>(), std::string("seq"));
            object["task"] = "token";
            QVERIFY(writeFile(file, QByteArray::fromStdString(object.dump(2))));
            const CliRun run = runCli({"predict", "--run", out, "--text", "the film was good"});
            const QString problem = refusalProblem(
                run,
                {out + ": run.json says task '" + (editRunJson ? "token" : "seq") + "'",
                 out + "/best/classifier.json says '" + (editRunJson ? "seq" : "token") + "'"});
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
            QVERIFY(run.out.isEmpty());
        }
    }
};

QTEST_GUILESS_MAIN(TstCliRecovery)
#include "tst_clirecovery.moc"
