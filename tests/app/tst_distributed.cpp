// Data-parallel training (c10d Gloo on the loopback interface): `fsllm train --nproc 2` trains on
// exactly the global batches of one process (the same per-step losses and dev scores, dropout
// off), for a sequence and a token task; a torchrun-style environment launch works; a rank that
// dies or never comes ends the job with a message within the timeout; a killed run resumes with
// another number of processes on the same global batches; the dev set is evaluated in shards
// with the same predictions; bad rendezvous settings are refused naming the variable. The model is the real pretrained stories260K (test data).
#include "clirunner.h"
#include "distributedsettings.h"
#include "fsllmerror.h"
#include "testfiles.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <cmath>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using Json = nlohmann::json;

namespace {

const QString kModel = QStringLiteral(FSLLM_TEST_DATA_DIR "/reference/stories260K");
const QString kData = QStringLiteral(FSLLM_TEST_DATA_DIR "/badinputs");

// A small CoNLL file: a word and its tag per line, sentences separated by blank lines.
QString writeConll(const QTemporaryDir& dir, const QString& name, int sentences) {
    const QStringList words = {"the", "cat", "sat", "on", "a", "red", "mat", "and", "ran"};
    const QStringList tags = {"DET", "NOUN", "VERB", "ADP", "DET", "ADJ", "NOUN", "CONJ", "VERB"};
    QByteArray text;
    for (int s = 0; s < sentences; ++s) {
        for (int w = 0; w < 3 + s % 5; ++w) {
            const int k = (s * 7 + w * 3) % words.size();
            text += (words[k] + " " + tags[k] + "\n").toUtf8();
        }
        text += "\n";
    }
    const QString path = dir.filePath(name);
    TestFiles::write(path, text);
    return path;
}

// metrics.jsonl's step losses, by step.
QMap<int, double> stepLosses(const QString& runDir) {
    QMap<int, double> losses;
    if (!QFile::exists(runDir + QStringLiteral("/metrics.jsonl")))
        return losses; // not written yet
    const QByteArray text = TestFiles::read(runDir + QStringLiteral("/metrics.jsonl"));
    for (const QByteArray& line : text.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const Json record = Json::parse(line.toStdString(), nullptr, /*allow_exceptions=*/false);
        if (record.is_discarded())
            continue; // a line being written
        if (record.value("type", "") == "step")
            losses[record["step"].get<int>()] = record["train_loss"].get<double>();
    }
    return losses;
}

// A port on 127.0.0.1 that is free now (the kernel's pick for port 0).
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

QStringList trainArguments(const QString& task, const QString& train, const QString& dev,
                           const QString& out) {
    return {"train", "--model",        kModel, "--task",      task, "--train",
            train,   "--dev",          dev,    "--epochs",    "2",  "--batch-size",
            "5",     "--lora-dropout", "0",    "--log-every", "1",  "--threads",
            "1",     "--out",          out};
}

// Starts `fsllm` with torchrun's variables for `rank` of `world`.
void startRank(QProcess& process, const QStringList& args, int rank, int world, int port,
               const QString& timeout = QString()) {
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("RANK", QString::number(rank));
    environment.insert("WORLD_SIZE", QString::number(world));
    environment.insert("MASTER_ADDR", "127.0.0.1");
    environment.insert("MASTER_PORT", QString::number(port));
    if (!timeout.isEmpty())
        environment.insert("FSLLM_DIST_TIMEOUT", timeout);
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(FSLLM_CLI_PATH), args);
}

// Trains `args` (their --out is `runDir`) as ranks 0 and 1 of 2, kills rank 1 once `steps` steps
// are logged, and waits for rank 0 to end; returns its exit code and error output.
QPair<int, QByteArray> killRankOneAfter(const QStringList& args, const QString& runDir, int steps) {
    const int port = freePort();
    QProcess rank0, rank1;
    startRank(rank1, args, 1, 2, port, "30");
    startRank(rank0, args, 0, 2, port, "30");
    QElapsedTimer waited;
    waited.start();
    while (stepLosses(runDir).size() < steps && waited.elapsed() < 60'000)
        QTest::qWait(20);
    const bool stepped = stepLosses(runDir).size() >= steps;
    ::kill(static_cast<pid_t>(rank1.processId()), SIGKILL);
    rank0.waitForFinished(60'000);
    rank1.waitForFinished();
    return {stepped ? rank0.exitCode() : -1, rank0.readAllStandardError()};
}

// run.json's world_size.
int worldSizeOf(const QString& runDir) {
    return Json::parse(TestFiles::read(runDir + "/run.json").toStdString())["world_size"].get<int>();
}

// Starts `fsllm args` (no launcher variables).
void startCli(QProcess& process, const QStringList& args) {
    process.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
    process.start(QStringLiteral(FSLLM_CLI_PATH), args);
}

// Waits until the run in `runDir` has logged step `step`, then stops it as Ctrl-C does and waits
// for it; returns the last step logged.
int stopAfterStep(QProcess& process, const QString& runDir, int step) {
    QElapsedTimer waited;
    waited.start();
    while (process.state() != QProcess::NotRunning && waited.elapsed() < 60'000 &&
           (stepLosses(runDir).isEmpty() || stepLosses(runDir).lastKey() < step))
        QTest::qWait(20);
    if (process.state() != QProcess::NotRunning) // (a pid of 0 would signal this group)
        ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    process.waitForFinished(60'000);
    return stepLosses(runDir).isEmpty() ? 0 : stepLosses(runDir).lastKey();
}

// The sequence predictions file's rows (line, gold, predicted) and its probability columns.
void readPredictions(const QString& path, QStringList* labels, QList<double>* probabilities) {
    const QList<QByteArray> lines = TestFiles::read(path).split('\n');
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cells = lines[i].split('\t');
        if (cells.size() < 4)
            continue;
        *labels << QString::fromUtf8(cells[0] + " " + cells[1] + " " + cells[2]);
        for (int c = 3; c < cells.size(); ++c)
            *probabilities << cells[c].toDouble();
    }
}

} // namespace

class TestDistributed : public QObject {
    Q_OBJECT
private slots:
    void shardsCoverEveryIndexOnce();
    void settingsFromTheEnvironment();
    void sameLossesAsOneProcess_data();
    void sameLossesAsOneProcess();
    void torchrunEnvironment();
    void deadRankEndsTheJob();
    void resumeWithAnotherNumberOfProcesses();
    void badRendezvousSettings();
};

// Every index of a global batch goes to exactly one rank, in order, slices differing by <= 1.
void TestDistributed::shardsCoverEveryIndexOnce() {
    for (int size : {0, 1, 5, 16, 17})
        for (int world : {1, 2, 3, 7}) {
            std::vector<int> global(static_cast<std::size_t>(size));
            for (int i = 0; i < size; ++i)
                global[static_cast<std::size_t>(i)] = 100 + i;
            std::vector<int> joined;
            std::size_t smallest = global.size(), largest = 0;
            for (int rank = 0; rank < world; ++rank) {
                const auto shard = fsllm::DistributedSettings::shardOf(global, rank, world);
                joined.insert(joined.end(), shard.begin(), shard.end());
                smallest = std::min(smallest, shard.size());
                largest = std::max(largest, shard.size());
            }
            QCOMPARE(joined, global);
            QVERIFY(largest - smallest <= 1 || global.empty());
        }
}

// torchrun's variables are read and checked, naming the variable.
void TestDistributed::settingsFromTheEnvironment() {
    const auto errorOf = [] {
        try {
            (void)fsllm::DistributedSettings::fromEnvironment();
        } catch (const fsllm::FsllmError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    for (const char* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                             "MASTER_PORT", "FSLLM_DIST_TIMEOUT"})
        qunsetenv(name);
    QVERIFY(!fsllm::DistributedSettings::fromEnvironment().distributed());
    qputenv("WORLD_SIZE", "4");
    qputenv("RANK", "3");
    qputenv("MASTER_ADDR", "node-0");
    qputenv("MASTER_PORT", "29501");
    qputenv("FSLLM_DIST_TIMEOUT", "7");
    const fsllm::DistributedSettings settings = fsllm::DistributedSettings::fromEnvironment();
    QCOMPARE(settings.rank, 3);
    QCOMPARE(settings.localRank, 3);
    QCOMPARE(settings.masterAddr, std::string("node-0"));
    QCOMPARE(settings.masterPort, 29501);
    QCOMPARE(settings.timeoutSeconds, 7.0);
    QCOMPARE(settings.localWorldSize, 1); // not set: one process on this machine
    QCOMPARE(settings.threadsPerProcess(16), 16);
    qputenv("LOCAL_WORLD_SIZE", "4");
    const fsllm::DistributedSettings shared = fsllm::DistributedSettings::fromEnvironment();
    QCOMPARE(shared.localWorldSize, 4);
    QCOMPARE(shared.threadsPerProcess(16), 4);
    QCOMPARE(shared.threadsPerProcess(2), 1); // at least one
    qputenv("LOCAL_WORLD_SIZE", "5");
    QVERIFY(QString::fromStdString(errorOf()).contains(
        "environment variable LOCAL_WORLD_SIZE='5' is not an integer from 1 to 4"));
    qunsetenv("LOCAL_WORLD_SIZE");
    qputenv("RANK", "4");
    QVERIFY(QString::fromStdString(errorOf()).contains(
        "environment variable RANK='4' is not an integer from 0 to 3"));
    qputenv("RANK", "1");
    qunsetenv("MASTER_ADDR");
    QVERIFY(QString::fromStdString(errorOf()).contains("MASTER_ADDR is not set"));
    for (const char* name : {"RANK", "WORLD_SIZE", "MASTER_PORT", "FSLLM_DIST_TIMEOUT"})
        qunsetenv(name);
}

void TestDistributed::sameLossesAsOneProcess_data() {
    QTest::addColumn<QString>("task");
    QTest::newRow("sequence") << "seq";
    QTest::newRow("token") << "token";
}

// Batches of 5 over 2 ranks: slices of 3 and 2, and a last batch of the epoch smaller still.
void TestDistributed::sameLossesAsOneProcess() {
    QFETCH(QString, task);
    QTemporaryDir dir;
    const bool token = task == QLatin1String("token");
    const QString train = token ? writeConll(dir, "train.conll", 13) : kData + "/good_train.tsv";
    // Dev sets of 3 batches: rank 0 scores 2 of them, rank 1 one.
    const QString dev = token ? writeConll(dir, "dev.conll", 13) : kData + "/good_train.tsv";
    const QString single = dir.filePath("single");
    const QString dual = dir.filePath("dual");
    CliRunner::Run run = CliRunner::run(trainArguments(task, train, dev, single));
    QString problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    run = CliRunner::run(trainArguments(task, train, dev, dual) << "--nproc"
                                                                << "2");
    problem = CliRunner::successProblem(run);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    const QMap<int, double> one = stepLosses(single), two = stepLosses(dual);
    QVERIFY(one.size() >= 4);
    QCOMPARE(two.keys(), one.keys());
    for (const int step : one.keys())
        QVERIFY2(std::abs(one[step] - two[step]) < 1e-5,
                 qPrintable(
                     QStringLiteral("step %1: %2 vs %3").arg(step).arg(one[step]).arg(two[step])));
    QCOMPARE(worldSizeOf(dual), 2);
    // --nproc says the processes share this machine (LOCAL_WORLD_SIZE, as torchrun does).
    QVERIFY(TestFiles::read(dual + "/train.log").contains("(2 process(es) on this machine)"));
    const Json a = Json::parse(TestFiles::read(single + "/best/dev_metrics.json").toStdString());
    const Json b = Json::parse(TestFiles::read(dual + "/best/dev_metrics.json").toStdString());
    QCOMPARE(b["f1"].get<double>(), a["f1"].get<double>());
    QVERIFY(std::abs(b["loss"].get<double>() - a["loss"].get<double>()) < 1e-5);
    // The dev set was scored in shards (rank 0 and rank 1 each took every other batch) and
    // gathered: every prediction is there, as one process made it.
    if (token) {
        QCOMPARE(TestFiles::read(dual + "/dev_predictions.conll"),
                 TestFiles::read(single + "/dev_predictions.conll"));
    } else {
        QStringList rowsA, rowsB;
        QList<double> pA, pB;
        readPredictions(single + "/dev_predictions.tsv", &rowsA, &pA);
        readPredictions(dual + "/dev_predictions.tsv", &rowsB, &pB);
        QCOMPARE(rowsB, rowsA);
        QCOMPARE(pB.size(), pA.size());
        QVERIFY(rowsA.size() == 12 && pA.size() == 24);
        for (int i = 0; i < pA.size(); ++i)
            QVERIFY2(std::abs(pA[i] - pB[i]) < 1e-4, qPrintable(QString::number(i)));
    }
}

// Two processes started as torchrun would (each with its own RANK); rank 0 writes the folder.
void TestDistributed::torchrunEnvironment() {
    QTemporaryDir dir;
    const QString out = dir.filePath("run");
    const QStringList args =
        trainArguments("seq", kData + "/good_train.tsv", kData + "/good_dev.tsv", out);
    const int port = freePort();
    QProcess rank0, rank1;
    startRank(rank1, args, 1, 2, port, "60");
    startRank(rank0, args, 0, 2, port, "60");
    QVERIFY(rank0.waitForFinished(120'000));
    QVERIFY(rank1.waitForFinished(120'000));
    QVERIFY2(rank0.exitCode() == 0, rank0.readAllStandardError().constData());
    QVERIFY2(rank1.exitCode() == 0, rank1.readAllStandardError().constData());
    QVERIFY(stepLosses(out).size() >= 4);
    QVERIFY(QFile::exists(out + "/best/adapter_model.safetensors"));
}

// Rank 1 never comes: rank 0 gives up after FSLLM_DIST_TIMEOUT with a message naming the
// address. Rank 1 killed while training: rank 0 stops at its next collective with a message,
// and its last checkpoint stays valid.
void TestDistributed::deadRankEndsTheJob() {
    QTemporaryDir dir;
    const QStringList args = trainArguments("seq", kData + "/good_train.tsv",
                                            kData + "/good_dev.tsv", dir.filePath("a"));
    QProcess alone;
    startRank(alone, args, 0, 2, freePort(), "3");
    QVERIFY(alone.waitForFinished(60'000));
    QCOMPARE(alone.exitCode(), 2);
    const QByteArray lonely = alone.readAllStandardError();
    QVERIFY2(lonely.contains("could not join the group of 2 at MASTER_ADDR:MASTER_PORT"),
             lonely.constData());

    QStringList longer = trainArguments("seq", kData + "/good_train.tsv", kData + "/good_dev.tsv",
                                        dir.filePath("b"));
    longer[longer.indexOf("--epochs") + 1] = "200";
    const auto [exitCode, message] = killRankOneAfter(longer, dir.filePath("b"), 3);
    QCOMPARE(exitCode, 2);
    QVERIFY2(message.contains("another rank has probably died or stopped answering"),
             message.constData());
    QVERIFY(QFile::exists(dir.filePath("b") + "/checkpoint/state.json"));
}

// Two processes, rank 1 killed; resumed with one process, stopped; resumed with two, stopped: the
// run's per-step losses equal an uninterrupted single process's (the same global batches), and
// run.json records the processes of the last start.
void TestDistributed::resumeWithAnotherNumberOfProcesses() {
    QTemporaryDir dir;
    const QString run = dir.filePath("run"), reference = dir.filePath("reference");
    QStringList args = trainArguments("seq", kData + "/good_train.tsv", kData + "/good_dev.tsv",
                                      run);
    args[args.indexOf("--epochs") + 1] = "1000";
    QCOMPARE(killRankOneAfter(args, run, 8).first, 2);
    const QMap<int, double> killed = stepLosses(run);
    QVERIFY(!killed.isEmpty());

    QProcess single;
    startCli(single, {"train", "--resume", run});
    const int afterSingle = stopAfterStep(single, run, killed.lastKey() + 6);
    QVERIFY2(single.exitCode() == 0, single.readAllStandardError().constData());
    QVERIFY(TestFiles::read(run + "/train.log")
                .contains("resuming a run of 2 process(es) with 1 process(es)"));
    QCOMPARE(worldSizeOf(run), 1);

    QProcess dual;
    startCli(dual, {"train", "--resume", run, "--nproc", "2"});
    const int afterDual = stopAfterStep(dual, run, afterSingle + 6);
    QVERIFY2(dual.exitCode() == 0, dual.readAllStandardError().constData());
    QVERIFY(afterDual > afterSingle);
    QCOMPARE(worldSizeOf(run), 2);

    QStringList referenceArgs = args;
    referenceArgs[referenceArgs.indexOf("--out") + 1] = reference;
    QProcess uninterrupted;
    startCli(uninterrupted, referenceArgs);
    stopAfterStep(uninterrupted, reference, afterDual);
    const QMap<int, double> resumed = stepLosses(run), expected = stepLosses(reference);
    QVERIFY(resumed.lastKey() == afterDual && expected.lastKey() >= afterDual);
    qInfo("killed at step %d, resumed with 1 process to step %d, with 2 to step %d",
          killed.lastKey(), afterSingle, afterDual);
    for (int step = 1; step <= afterDual; ++step) {
        QVERIFY2(resumed.contains(step) && expected.contains(step), qPrintable(QString::number(step)));
        QVERIFY2(std::abs(resumed[step] - expected[step]) < 1e-5,
                 qPrintable(QStringLiteral("step %1: %2 vs %3")
                                .arg(step)
                                .arg(resumed[step])
                                .arg(expected[step])));
    }
}

void TestDistributed::badRendezvousSettings() {
    QTemporaryDir dir;
    const QStringList args = trainArguments("seq", kData + "/good_train.tsv",
                                            kData + "/good_dev.tsv", dir.filePath("r"));
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert("WORLD_SIZE", "2");
    environment.insert("MASTER_ADDR", "127.0.0.1");
    environment.insert("MASTER_PORT", "29555");
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(FSLLM_CLI_PATH), args);
    QVERIFY(process.waitForFinished(60'000));
    QCOMPARE(process.exitCode(), 2);
    QByteArray message = process.readAllStandardError();
    QVERIFY2(message.contains("environment variable RANK is not set"), message.constData());

    environment.insert("RANK", "0");
    environment.insert("MASTER_PORT", "http");
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(FSLLM_CLI_PATH), args);
    QVERIFY(process.waitForFinished(60'000));
    message = process.readAllStandardError();
    QVERIFY2(message.contains("environment variable MASTER_PORT='http' is not an integer from 1 "
                              "to 65535"),
             message.constData());

    const CliRunner::Run nested = CliRunner::run(QStringList(args) << "--nproc"
                                                                   << "1");
    QVERIFY2(nested.err.contains("--nproc: give 2 or more processes"), nested.err.constData());
}

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
