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

Result runStudio(const QStringList& args, const QString& home, int timeoutMs = 120000) {
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
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
        const Result missing = runStudio(
            {"--report", m_dir.filePath("none"), "--out", m_dir.filePath("out0")}, m_dir.path());
        QCOMPARE(missing.code, 1);
        QVERIFY(missing.out.contains("none"));
    }

    void headlessReport() {
        fsllm::testing::writeFakeRun(m_dir.filePath("runs/a"), MaskSpec{MaskMode::Decay, 0.5}, 0.7);
        fsllm::testing::writeFakeRun(m_dir.filePath("runs/b"), MaskSpec{MaskMode::Causal, 0.0}, 0.6);
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
};

QTEST_MAIN(TestStudioCli)
#include "tst_studiocli.moc"
