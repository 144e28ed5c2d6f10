// Every file of fuzz/corpus/<target>/ (seeds) and fuzz/regressions/<target>/ (inputs that once
// crashed or misbehaved) goes through its fuzz target: it must end in a clean FsllmError or a
// result, never another exception, a crash or (in a sanitizer build) a sanitizer report.
#include "fuzztargetregistry.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <exception>

using fsllm::fuzz::FuzzTargetRegistry;

class TestFuzzCorpus : public QObject {
    Q_OBJECT

private:
    static QDir fuzzDir() { return QDir(QStringLiteral(FSLLM_FUZZ_DIR)); }

    static QStringList inputsOf(const QString& kind, const QString& target) {
        QStringList files;
        const QDir dir(fuzzDir().filePath(kind + QLatin1Char('/') + target));
        for (const QFileInfo& info : dir.entryInfoList(QDir::Files, QDir::Name))
            files << info.absoluteFilePath();
        return files;
    }

private slots:
    void everyTargetHasSeeds() {
        const std::vector<std::string> names = FuzzTargetRegistry::names();
        QVERIFY2(names.size() >= 9, "fewer fuzz targets registered than the project has");
        for (const std::string& name : names)
            QVERIFY2(!inputsOf(QStringLiteral("corpus"), QString::fromStdString(name)).isEmpty(),
                     ("no seed inputs in fuzz/corpus/" + name).c_str());
    }

    void everyCorpusFolderNamesATarget() {
        for (const QString& kind : {QStringLiteral("corpus"), QStringLiteral("regressions")}) {
            const QDir dir(fuzzDir().filePath(kind));
            for (const QString& folder : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
                QVERIFY2(FuzzTargetRegistry::find(folder.toStdString()) != nullptr,
                         qPrintable(kind + QLatin1Char('/') + folder + " names no fuzz target"));
        }
    }

    void replay_data() {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("file");
        for (const std::string& name : FuzzTargetRegistry::names()) {
            const QString target = QString::fromStdString(name);
            for (const QString& kind : {QStringLiteral("corpus"), QStringLiteral("regressions")})
                for (const QString& file : inputsOf(kind, target))
                    QTest::newRow(qPrintable(kind + QLatin1Char('/') + target + QLatin1Char('/') +
                                             QFileInfo(file).fileName()))
                        << target << file;
        }
    }

    void replay() {
        QFETCH(QString, target);
        QFETCH(QString, file);
        QFile input(file);
        QVERIFY(input.open(QIODevice::ReadOnly));
        const QByteArray bytes = input.readAll();
        const auto run = FuzzTargetRegistry::find(target.toStdString());
        QVERIFY(run != nullptr);
        try {
            QCOMPARE(run(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                         std::size_t(bytes.size())),
                     0);
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QStringLiteral("%1 escaped with an exception that is not a clean "
                                            "error: %2")
                                 .arg(file, QString::fromLocal8Bit(e.what()))));
        }
    }
};

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "tst_fuzzcorpus.moc"
