// The fsllm-studio executable as a user runs it (child process, offscreen platform): usage
// errors, the headless --report, and --screenshot of the Inspect tab on a tiny model.
#include "fakerunfolder.h"
#include "tinycheckpoint.h"
#include "trainingconfig.h"
#include "trainingrecords.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace fsllm;

namespace {

struct Result {
    int code = -1;
    QString out;
};

Result runStudio(const QStringList& args, const QString& home, int timeoutMs = 120000,
                 bool display = true) {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (display) {
        env.insert("QT_QPA_PLATFORM", "offscreen");
    } else { // as over ssh without X: the xcb platform and no display to connect to
        env.insert("QT_QPA_PLATFORM", "xcb");
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
    }
    env.insert("XDG_CONFIG_HOME", home + "/config"); // keep the user's settings untouched
    env.insert("XDG_DATA_HOME", home + "/data");
    process.setProcessEnvironment(env);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(FSLLM_STUDIO_PATH, args);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {-1, QString::fromUtf8(process.readAll())};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAll())};
}

} // namespace

class TestStudioCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void helpAndUsageErrors() {
        Result help = runStudio({"--help"}, m_dir.path());
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains("--report"));
        QVERIFY(help.out.contains("--screenshot"));
        QCOMPARE(runStudio({"--report", m_dir.path()}, m_dir.path()).code, 2); // no --out
        QCOMPARE(runStudio({"--tab", "settings"}, m_dir.path()).code, 2);
        QCOMPARE(runStudio({"--no-such-option"}, m_dir.path()).code, 2);
        const Result badToken = runStudio({"--attribution-token", "-1"}, m_dir.path());
        QCOMPARE(badToken.code, 2);
        QVERIFY2(badToken.out.contains(QStringLiteral("--attribution-token")),
                 qPrintable(badToken.out));
        const Result missing = runStudio(
            {"--report", m_dir.filePath("none"), "--out", m_dir.filePath("out0")}, m_dir.path());
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.out.contains("none"));
    }

    // Issue 12, defect 6: --help and --version aborted without a display; no --threads.
    void optionsWithoutADisplay() {
        const Result help = runStudio({"--help"}, m_dir.path(), 60000, false);
        QVERIFY2(help.code == 0, qPrintable(help.out));
        QVERIFY(help.out.contains("--threads"));
        const Result version = runStudio({"--version"}, m_dir.path(), 60000, false);
        QVERIFY2(version.code == 0, qPrintable(version.out));
        QVERIFY(version.out.startsWith("fsllm-studio "));
        const Result bad = runStudio({"--threads", "0"}, m_dir.path(), 60000, false);
        QCOMPARE(bad.code, 2);
        QVERIFY(bad.out.contains("--threads"));
        QCOMPARE(runStudio({"--threads", "many"}, m_dir.path(), 60000, false).code, 2);
        QCOMPARE(runStudio({"--tab", "settings"}, m_dir.path(), 60000, false).code, 2);
    }

    void headlessReport() {
        fsllm::testing::writeFakeRun(m_dir.filePath("runs/a"), MaskSpec{MaskMode::Decay, 0.5}, 0.7);
        fsllm::testing::writeFakeRun(m_dir.filePath("runs/b"), MaskSpec{MaskMode::Causal, 0.0},
                                     0.6);
        const QString out = m_dir.filePath("report");
        const Result result = runStudio(
            {"--report", m_dir.filePath("runs/a"), m_dir.filePath("runs/b"), "--out", out},
            m_dir.path());
        QVERIFY2(result.code == 0, qPrintable(result.out));
        QCOMPARE(result.out.count("wrote "), 15);
        for (const char* figure : {"train_loss", "eval_loss", "scores"}) {
            QVERIFY(!QImage(out + '/' + figure + ".png").isNull());
            QVERIFY(QFileInfo(out + '/' + figure + ".pdf").size() > 1000);
            QVERIFY(QFileInfo(out + '/' + figure + ".svg").size() > 1000);
        }
        QFile md(out + "/results.md");
        QVERIFY(md.open(QIODevice::ReadOnly));
        QVERIFY(md.readAll().contains("| a | decay | 0.5 |"));
    }

    void screenshotOfInspectTab() {
        const QString model = m_dir.filePath("model");
        TinyCheckpointOptions options;
        options.corpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";
        TinyCheckpoint::write(model.toStdString(), options);
        const QString png = m_dir.filePath("inspect.png");
        const Result result = runStudio({"--model", model, "--tab", "inspect", "--size", "1000x700",
                                         "--screenshot", png, "--timeout", "120"},
                                        m_dir.path(), 180000);
        QVERIFY2(result.code == 0, qPrintable(result.out));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 1000 && image.height() >= 700);
    }

    // The slider benchmark runs end to end and prints its figures (their size is the
    // benchmark's business, not the test's): 24 moves, each redrawn.
    void sliderBenchmarkPrintsItsFigures() {
        const QString model = m_dir.filePath("slider-model");
        TinyCheckpointOptions options;
        options.corpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";
        TinyCheckpoint::write(model.toStdString(), options);
        const Result result = runStudio({"--model", model, "--measure-slider"}, m_dir.path(),
                                        180000);
        QVERIFY2(result.code == 0, qPrintable(result.out));
        QVERIFY2(result.out.contains(QStringLiteral("lambda slider, 24 moves at")) &&
                     result.out.contains(QStringLiteral("redraw median")),
                 qPrintable(result.out));
        QCOMPARE(runStudio({"--measure-slider"}, m_dir.path()).code, 2); // needs --model
    }
};

QTEST_MAIN(TestStudioCli)
#include "tst_studiocli.moc"
