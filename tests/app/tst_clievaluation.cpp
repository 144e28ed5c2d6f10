// What `fsllm` reports about a run, checked on a tiny checkpoint through the real binary:
// --help of train, eval, predict and zeroshot lists exactly the options each accepts (one table
// parses and prints them); eval reports the sentences and words cut by --max-length and scores
// cut words as not predicted; zeroshot names its outputs after the file it scored; and the
// tokens/s record after an evaluation is measured like the others (training time only).
#include "clirunner.h"
#include "predictionreport.h"
#include "testfiles.h"
#include "trainingcommandspecs.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <vector>

namespace {

using Json = nlohmann::json;

const QString kCorpus = QStringLiteral(FSLLM_TEST_DATA_DIR "/badinputs");

QString problemOf(const CliRunner::Run& run) { return CliRunner::successProblem(run); }

// Tagged sentences: names (PER) and places (LOC) in short frames.
QByteArray conllSentences(int count) {
    const QStringList people = {"John", "Mary", "Anna", "Peter"};
    const QStringList places = {"Paris", "Berlin", "Rome", "Oslo"};
    QByteArray text;
    for (int i = 0; i < count; ++i)
        text += people[i % 4].toUtf8() + " B-PER\nvisited O\n" + places[(i / 2) % 4].toUtf8() +
                " B-LOC\ntoday O\n\n";
    return text;
}

// The tokens_per_s of every step record of RUN/metrics.jsonl.
std::vector<double> tokenRates(const QString& runDir) {
    std::vector<double> rates;
    for (const QByteArray& line : TestFiles::read(runDir + "/metrics.jsonl").split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        const Json record = Json::parse(line.toStdString());
        if (record.contains("tokens_per_s"))
            rates.push_back(record["tokens_per_s"].get<double>());
    }
    return rates;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

// The option names of a --help text's option lines ("  --name VALUE  what it does").
QStringList helpOptionLines(const QByteArray& help) {
    QStringList lines;
    for (const QString& line : QString::fromUtf8(help).split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("  --")))
            lines << line.trimmed();
    return lines;
}

} // namespace

class TestCliEvaluation : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void helpListsEveryAcceptedOption_data();
    void helpListsEveryAcceptedOption();
    void evalReportsCutSentences();
    void zeroshotNamesOutputsAfterTheFile();
    void tokensPerSecondAfterEvaluation();

private:
    QString write(const QString& name, const QByteArray& bytes) const;

    QTemporaryDir m_root;
    QString m_tiny;
};

void TestCliEvaluation::initTestCase() {
    QVERIFY(m_root.isValid());
    m_tiny = m_root.filePath(QStringLiteral("tiny"));
    const CliRunner::Run run =
        CliRunner::run(QStringList{"init-tiny", "--out", m_tiny, "--layers", "2", "--hidden", "32",
                                   "--heads", "4", "--kv-heads", "2", "--vocab", "512"});
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
}

QString TestCliEvaluation::write(const QString& name, const QByteArray& bytes) const {
    const QString path = m_root.filePath(name);
    TestFiles::write(path, bytes);
    return path;
}

void TestCliEvaluation::helpListsEveryAcceptedOption_data() {
    QTest::addColumn<QString>("command");
    // sweep's table is train's options plus its grid options: tst_clisweep checks it (one
    // process per option of train's table again would double this test's time).
    for (const fsllm::CommandSpec* spec : fsllm::TrainingCommandSpecs::all())
        if (spec->name != "sweep")
            QTest::newRow(spec->name.c_str()) << QString::fromStdString(spec->name);
}

// Both ways: every option of the table that parses the command is on an option line of its
// --help, and every option line's option is accepted by the binary (it reaches the command's
// own checks instead of "unknown option"). An option outside the table is refused.
void TestCliEvaluation::helpListsEveryAcceptedOption() {
    QFETCH(QString, command);
    const CliRunner::Run help = CliRunner::run(QStringList{command, "--help"});
    QVERIFY2(problemOf(help).isEmpty(), qPrintable(problemOf(help)));
    const QStringList lines = helpOptionLines(help.out);
    QStringList listed;
    for (const QString& line : lines)
        listed << line.section(QLatin1Char(' '), 0, 0).mid(2);
    const fsllm::CommandSpec* spec = fsllm::TrainingCommandSpecs::find(command.toStdString());
    QVERIFY(spec);
    for (const fsllm::OptionSpec& option : spec->options)
        QVERIFY2(listed.contains(QString::fromStdString(option.name)),
                 qPrintable(command + " --help does not list --" +
                            QString::fromStdString(option.name)));
    for (const char* engineOption : {"threads", "device", "dtype"})
        QVERIFY2(listed.contains(QLatin1String(engineOption)), engineOption);
    for (const QString& line : lines) {
        const QString name = line.section(QLatin1Char(' '), 0, 0);
        const QString value = line.section(QLatin1Char(' '), 1, 1);
        QStringList args{command, name};
        if (!value.isEmpty()) // "--name VALUE  help"; a flag's line is "--name  help"
            args << QStringLiteral("1");
        const CliRunner::Run run = CliRunner::run(args);
        QVERIFY2(!run.err.contains("unknown option"),
                 qPrintable(args.join(' ') + ": " + QString::fromUtf8(run.err)));
        QVERIFY2(!run.err.contains("unexpected argument"),
                 qPrintable(args.join(' ') + ": " + QString::fromUtf8(run.err)));
    }
    const CliRunner::Run bogus = CliRunner::run(QStringList{command, "--no-such-option"});
    QVERIFY2(bogus.err.contains("unknown option --no-such-option"), bogus.err.constData());
}

// A token run with --max-length 24 (a short sentence is about 16 tokens) evaluated on sentences
// of 26 words, longer than that: the output and the
// scores say how many sentences and words were cut; the cut words are "<cut>" in the predictions
// (not "O"), so they count against the token accuracy (their gold tag is O or an entity), and a
// gold entity among them is missed without a predicted one.
void TestCliEvaluation::evalReportsCutSentences() {
    const QString runDir = m_root.filePath(QStringLiteral("token"));
    CliRunner::Run run = CliRunner::run(
        QStringList{"train", "--model", m_tiny, "--task", "token", "--train",
                    write("train.conll", conllSentences(12)), "--dev",
                    write("dev.conll", conllSentences(4)), "--epochs", "1", "--batch-size", "4",
                    "--max-length", "24", "--out", runDir});
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
    QByteArray test = conllSentences(2); // short: nothing cut
    for (int sentence = 0; sentence < 2; ++sentence) {
        for (int i = 0; i < 12; ++i)
            test += "visited O\ntoday O\n";
        test += "John B-PER\nParis B-LOC\n\n"; // entities past any cut
    }
    const QString file = write("long_test.conll", test);
    const QString json = m_root.filePath(QStringLiteral("long_test.json"));
    run = CliRunner::run(QStringList{"eval", "--run", runDir, "--data", file, "--json", json});
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));

    const QString kept = runDir + "/evaluations/long_test.conll.predictions.conll";
    int cut = 0, correct = 0, words = 0;
    for (const QByteArray& line : TestFiles::read(kept).split('\n')) {
        const QList<QByteArray> fields = line.split(' ');
        if (fields.size() != 3)
            continue;
        ++words;
        cut += fields[2] == "<cut>" ? 1 : 0;
        correct += fields[1] == fields[2] ? 1 : 0;
    }
    QVERIFY2(cut > 0, "no word was cut");
    const Json scores = Json::parse(TestFiles::read(json).toStdString());
    QCOMPARE(scores["truncated"]["examples"].get<int>(), 2);
    QCOMPARE(scores["truncated"]["words"].get<int>(), cut);
    QVERIFY2(run.out.contains(QStringLiteral("truncated 2 example(s) longer than the run's "
                                             "--max-length 24 tokens, cut there; %1 word(s) cut")
                                  .arg(cut)
                                  .toUtf8()),
             run.out.constData());
    // Token accuracy counts a cut word as wrong even where its gold tag is O.
    QCOMPARE(scores["accuracy"].get<double>(), double(correct) / words);
    // The gold entities past the cut are missed; the cut words predict none.
    const fsllm::PredictionReport report = fsllm::PredictionReport::read(kept.toStdString());
    QCOMPARE(report.entities.goldChunks, scores["entity_counts"]["gold"].get<int>());
    QCOMPARE(report.entities.predictedChunks, scores["entity_counts"]["predicted"].get<int>());
    QCOMPARE(report.classification.notPredicted, cut);
    QCOMPARE(report.entities.goldChunks, 2 * 2 + 2 * 2); // 2 short sentences + 2 long ones
}

// zeroshot on a test file: its predictions and scores are named after that file, as fsllm eval
// names evaluations, never dev_*.
void TestCliEvaluation::zeroshotNamesOutputsAfterTheFile() {
    const QString test = m_root.filePath(QStringLiteral("reviews_test.tsv"));
    QVERIFY(QFile::copy(kCorpus + "/good_dev.tsv", test));
    const QString out = m_root.filePath(QStringLiteral("zeroshot"));
    const CliRunner::Run run = CliRunner::run(QStringList{
        "zeroshot", "--model", m_tiny, "--data", test, "--out", out, "--verbalizers",
        "pos=good,neg=bad"});
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
    const QString predictions = out + "/evaluations/reviews_test.tsv.predictions.tsv";
    const QString scores = out + "/evaluations/reviews_test.tsv.json";
    QVERIFY2(run.out.contains(("kept      " + predictions).toUtf8()), run.out.constData());
    QVERIFY2(run.out.contains(("kept      " + scores).toUtf8()), run.out.constData());
    QCOMPARE(CliRunner::outputLines(TestFiles::read(predictions)).size(), 1 + 4); // header + rows
    const Json json = Json::parse(TestFiles::read(scores).toStdString());
    QCOMPARE(QString::fromStdString(json["data"].get<std::string>()), QFileInfo(test).absoluteFilePath());
    QCOMPARE(json["examples"].get<int>(), 4);
    QCOMPARE(QDir(out).entryList({"dev_*"}, QDir::Files), QStringList());
    const auto sources = fsllm::PredictionReport::sources(out.toStdString());
    QCOMPARE(sources.size(), std::size_t(1));
    QCOMPARE(sources[0].name, std::string("reviews_test.tsv"));
}

// With an evaluation after every step and a record every 6 steps, the old meter divided 6 steps'
// tokens by the time since the last evaluation (one step): about 6x too high. Measured on
// training time only, the records match a run that evaluates only at the epoch's end.
void TestCliEvaluation::tokensPerSecondAfterEvaluation() {
    const auto train = [this](const QString& name, const QStringList& options) {
        const QString runDir = m_root.filePath(name);
        const CliRunner::Run run = CliRunner::run(
            QStringList{"train", "--model", m_tiny, "--task", "seq", "--train",
                        kCorpus + "/good_train.tsv", "--dev", kCorpus + "/good_dev.tsv",
                        "--batch-size", "1", "--epochs", "2", "--log-every", "6", "--threads", "1",
                        "--out", runDir} +
            options);
        const QString problem = problemOf(run);
        if (!problem.isEmpty())
            QTest::qFail(qPrintable(problem), __FILE__, __LINE__);
        return tokenRates(runDir);
    };
    const std::vector<double> evaluating = train("rate-eval", {"--eval-every", "1"});
    const std::vector<double> plain = train("rate-plain", {});
    QCOMPARE(evaluating.size(), std::size_t(4)); // 24 steps, a record every 6
    QCOMPARE(plain.size(), std::size_t(4));
    const double ratio = median(evaluating) / median(plain);
    QVERIFY2(ratio > 0.4 && ratio < 2.5,
             qPrintable(QStringLiteral("tokens/s with an evaluation every step %1, without %2")
                            .arg(median(evaluating))
                            .arg(median(plain))));
}

QTEST_GUILESS_MAIN(TestCliEvaluation)
#include "tst_clievaluation.moc"
