// `fsllm sweep` through the real binary on a tiny checkpoint (init-tiny) and the 12-line review
// data of tests/data/badinputs: a 2 x 2 grid (causal and bidirectional masks x seeds 1 and 2) of
// one-epoch runs writes four normal run folders, progress lines and a summary with one row per
// configuration (mean ± std over the two seeds, the causal row as baseline, a bootstrap CI and
// p-value and McNemar's p for the bidirectional row); running it again skips every complete run
// and trains only what is missing (--jobs 2 for two missing runs); a folder that holds a run with
// other settings is refused by field, and --help lists the grid options from the option table.
#include "clirunner.h"
#include "testfiles.h"
#include "trainingcommandspecs.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

namespace {

const QString kCorpus = QStringLiteral(FSLLM_TEST_DATA_DIR "/badinputs");
constexpr int kSweepTimeoutMs = 240'000; // four short runs, each its own fsllm process

QString problemOf(const CliRunner::Run& run) { return CliRunner::successProblem(run); }

} // namespace

class TestCliSweep : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void helpListsTheGridOptions();
    void gridTrainsRunsAndSummarises();
    void rerunSkipsCompleteRuns();
    void folderWithOtherSettingsIsRefused();

private:
    QStringList sweepArgs(const QStringList& extra = {}) const;
    QString runDir(const QString& name) const { return m_sweep + "/" + name; }

    QTemporaryDir m_root;
    QString m_tiny, m_train, m_dev, m_sweep;
    const QStringList m_names = {"reviews-causal-fs-s1", "reviews-causal-fs-s2",
                                 "reviews-bidirectional-fs-s1", "reviews-bidirectional-fs-s2"};
};

void TestCliSweep::initTestCase() {
    QVERIFY(m_root.isValid());
    m_tiny = m_root.filePath(QStringLiteral("tiny"));
    const CliRunner::Run run =
        CliRunner::run(QStringList{"init-tiny", "--out", m_tiny, "--layers", "2", "--hidden", "32",
                                   "--heads", "4", "--kv-heads", "2", "--vocab", "512"});
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
    m_train = m_root.filePath(QStringLiteral("reviews_train.tsv"));
    m_dev = m_root.filePath(QStringLiteral("reviews_dev.tsv"));
    QVERIFY(QFile::copy(kCorpus + "/good_train.tsv", m_train));
    QVERIFY(QFile::copy(kCorpus + "/good_dev.tsv", m_dev));
    m_sweep = m_root.filePath(QStringLiteral("sweep"));
}

QStringList TestCliSweep::sweepArgs(const QStringList& extra) const {
    return QStringList{"sweep",   "--model",      m_tiny,  "--task",    "seq",
                       "--train", m_train,        "--dev", m_dev,       "--out",
                       m_sweep,   "--masks",      "causal,bidirectional", "--seeds",
                       "1,2",     "--epochs",     "1",     "--batch-size", "4",
                       "--threads", "1",          "--resamples", "200"} +
           extra;
}

// --help prints the table the command parses: every option of it is on an option line; the grid
// options (the ones train's table does not have) are accepted by the binary (they reach the
// command's own check, "--out is required", not "unknown option").
void TestCliSweep::helpListsTheGridOptions() {
    const CliRunner::Run help = CliRunner::run(QStringList{"sweep", "--help"});
    QVERIFY2(problemOf(help).isEmpty(), qPrintable(problemOf(help)));
    QStringList listed;
    for (const QString& line : QString::fromUtf8(help.out).split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("  --")))
            listed << line.trimmed().section(QLatin1Char(' '), 0, 0);
    QStringList trainOptions;
    for (const fsllm::OptionSpec& option : fsllm::TrainingCommandSpecs::train().options)
        trainOptions << QString::fromStdString(option.name);
    for (const fsllm::OptionSpec& option : fsllm::TrainingCommandSpecs::sweep().options) {
        const QString name = QString::fromStdString(option.name);
        QVERIFY2(listed.contains("--" + name), qPrintable("sweep --help lacks --" + name));
        if (trainOptions.contains(name)) // the same table entries as train's, checked there
            continue;
        QStringList args{"sweep", "--" + name};
        if (!option.value.empty())
            args << QStringLiteral("1");
        const CliRunner::Run run = CliRunner::run(args);
        QVERIFY2(run.err.contains("--out is required"),
                 qPrintable(args.join(' ') + ": " + QString::fromUtf8(run.err)));
    }
    QVERIFY(!listed.contains(QStringLiteral("--resume")));
    for (const char* option : {"--masks", "--lambdas", "--mask-from-layers", "--heads", "--seeds",
                               "--data", "--grid", "--jobs", "--dry-run", "--epochs", "--lr"})
        QVERIFY2(help.out.contains(option), option);
    const CliRunner::Run top = CliRunner::run(QStringList{"--help"});
    QVERIFY(top.out.contains("fsllm sweep "));
}

void TestCliSweep::gridTrainsRunsAndSummarises() {
    const CliRunner::Run run = CliRunner::run(sweepArgs(), kSweepTimeoutMs);
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
    const QString out = QString::fromUtf8(run.out);
    for (int i = 0; i < m_names.size(); ++i) {
        const QString dir = runDir(m_names[i]);
        for (const char* file : {"run.json", "metrics.jsonl", "train.log", "dev_predictions.tsv",
                                 "best/adapter_model.safetensors", "best/best.json"})
            QVERIFY2(QFileInfo::exists(dir + "/" + file), qPrintable(dir + "/" + file));
        QVERIFY2(out.contains(QStringLiteral("run %1/4: %2 (").arg(i + 1).arg(m_names[i])),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("done %1/4: %2 in ").arg(i + 1).arg(m_names[i])),
                 qPrintable(out));
        QVERIFY(QFileInfo::exists(m_sweep + "/logs/" + m_names[i] + ".log"));
    }
    // The seed and mask reached each run.
    QVERIFY(TestFiles::read(runDir(m_names[3]) + "/run.json").contains("\"seed\": 2"));
    QVERIFY(TestFiles::read(runDir(m_names[3]) + "/run.json").contains("\"mask\": \"bidirectional\""));

    const QStringList csv = QString::fromUtf8(TestFiles::read(m_sweep + "/summary.csv"))
                                .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(csv.size(), 3); // header + one row per configuration
    QVERIFY(csv[0].startsWith("data,mask,lambda,mask_from_layer,head,pooling,runs,seeds,metric,"
                              "mean,std,difference,ci_low,ci_high,p_bootstrap,p_mcnemar"));
    const QStringList causal = csv[1].split(QLatin1Char(','));
    const QStringList bidirectional = csv[2].split(QLatin1Char(','));
    QCOMPARE(causal[1], QStringLiteral("causal"));
    QCOMPARE(causal[6], QStringLiteral("2"));  // runs
    QCOMPARE(causal[7], QStringLiteral("2"));  // seeds with predictions
    QCOMPARE(causal[8], QStringLiteral("accuracy"));
    QCOMPARE(causal[16], QStringLiteral("yes")); // the baseline
    QCOMPARE(bidirectional[1], QStringLiteral("bidirectional"));
    QCOMPARE(bidirectional[7], QStringLiteral("2"));
    bool ok = false;
    const double mean = bidirectional[9].toDouble(&ok);
    QVERIFY(ok && mean >= 0.0 && mean <= 1.0);
    const double p = bidirectional[14].toDouble(&ok);
    QVERIFY2(ok && p > 0.0 && p <= 1.0, qPrintable(csv[2]));
    const double low = bidirectional[12].toDouble(&ok), high = bidirectional[13].toDouble();
    QVERIFY(ok && low <= high);
    QVERIFY(!bidirectional[15].isEmpty()); // McNemar's p (sequence task, seeds in both groups)
    const QString markdown = QString::fromUtf8(TestFiles::read(m_sweep + "/summary.md"));
    QVERIFY(markdown.contains(QStringLiteral("| baseline |")));
    QVERIFY(markdown.contains(QStringLiteral(" ± ")));
    QVERIFY2(out.contains(QStringLiteral("| p (bootstrap) |")), qPrintable(out)); // printed too
    QVERIFY(QFileInfo::exists(m_sweep + "/sweep.json"));
}

void TestCliSweep::rerunSkipsCompleteRuns() {
    const QString best = runDir(m_names[0]) + "/best/best.json";
    const QDateTime before = QFileInfo(best).lastModified();
    CliRunner::Run run = CliRunner::run(sweepArgs(), kSweepTimeoutMs);
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
    QString out = QString::fromUtf8(run.out);
    for (int i = 0; i < m_names.size(); ++i)
        QVERIFY2(out.contains(QStringLiteral("skip %1/4: %2 (complete: dev accuracy ")
                                  .arg(i + 1)
                                  .arg(m_names[i])),
                 qPrintable(out));
    QVERIFY2(!out.contains(QStringLiteral("run 1/4")), qPrintable(out));
    QCOMPARE(QFileInfo(best).lastModified(), before);

    // Two runs lost (an interrupted sweep that never started them): only those train, two at once.
    QVERIFY(QDir(runDir(m_names[2])).removeRecursively());
    QVERIFY(QDir(runDir(m_names[3])).removeRecursively());
    run = CliRunner::run(sweepArgs({"--jobs", "2"}), kSweepTimeoutMs);
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
    out = QString::fromUtf8(run.out);
    QVERIFY2(out.contains(QStringLiteral("skip 1/4: ")) && out.contains(QStringLiteral("skip 2/4: ")),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("run 3/4: ")) && out.contains(QStringLiteral("run 4/4: ")),
             qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("2 at a time")), qPrintable(out));
    QVERIFY(QFileInfo::exists(runDir(m_names[3]) + "/dev_predictions.tsv"));
    QCOMPARE(QString::fromUtf8(TestFiles::read(m_sweep + "/summary.csv"))
                 .split(QLatin1Char('\n'), Qt::SkipEmptyParts)
                 .size(),
             3);
    // --dry-run says what would be done and trains nothing.
    run = CliRunner::run(sweepArgs({"--dry-run", "--seeds", "1,2,3"}));
    QVERIFY2(problemOf(run).isEmpty(), qPrintable(problemOf(run)));
    QVERIFY2(run.out.contains("skip   1/6: reviews-causal-fs-s1"), run.out.constData());
    QVERIFY2(run.out.contains("train  3/6: reviews-causal-fs-s3"), run.out.constData());
    QVERIFY(!QFileInfo::exists(runDir("reviews-causal-fs-s3")));
}

void TestCliSweep::folderWithOtherSettingsIsRefused() {
    const CliRunner::Run run = CliRunner::run(sweepArgs({"--epochs", "2"}));
    const QString problem = CliRunner::refusalProblem(
        run, {"reviews-causal-fs-s1/run.json", "holds a run with other settings",
              "epochs 2 (the folder has 1)"});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

QTEST_GUILESS_MAIN(TestCliSweep)
#include "tst_clisweep.moc"
