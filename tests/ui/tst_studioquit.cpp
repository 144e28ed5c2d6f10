// Quitting the studio while a run trains (issue 12, defect 1): on a tiny generated model, the
// main window starts a real run, waits until an evaluation has written best/ (or a step, or a
// pause), and is closed. Closing must return within kQuitBudgetMs, keep the run's checkpoint,
// and no late queued signal of the stopped job may reach the window afterwards (it used to call
// InspectPanel::setAdapter on the inspect worker that shutdown had already deleted: a segfault
// or a hang). Repeated kRounds times, in several variants.
#include "atomicdirectory.h"
#include "inspectpanel.h"
#include "mainwindow.h"
#include "runrecord.h"
#include "studiotestdata.h"
#include "tinycheckpoint.h"
#include "trainingworker.h"
#include "trainpanel.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace fsllm;

namespace {

constexpr int kTrainTimeoutMs = 240000;
constexpr int kQuitBudgetMs = 5000;
constexpr int kRounds = 2; // of each variant

enum class QuitWhen { AfterBest, AfterStep, WhilePaused };

} // namespace

class TestStudioQuit : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model, m_train, m_dev;
    int m_round = 0;

    void quitMidRun(QuitWhen when) {
        const QString runDir = m_dir.filePath(QStringLiteral("runs/quit%1").arg(m_round++));
        qint64 quitMs = 0;
        {
            MainWindow window;
            window.resize(1024, 640);
            window.show();
            QSignalSpy opened(window.inspectPanel(), &InspectPanel::modelOpened);
            window.openModel(m_model);
            QVERIFY(opened.wait(60000));
            TrainPanel* train = window.trainPanel();
            testing::configureShortRun(train->form(), m_model, m_train, m_dev, runDir, 50);
            QSignalSpy steps(train->worker(), &TrainingWorker::stepped);
            train->startTraining();
            QVERIFY(train->isTraining());
            if (when == QuitWhen::AfterBest)
                QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(runDir + QStringLiteral("/best")),
                                         kTrainTimeoutMs);
            else
                QVERIFY(steps.wait(kTrainTimeoutMs));
            if (when == QuitWhen::WhilePaused) {
                train->togglePause();
                QVERIFY(train->isPaused());
                QTest::qWait(100);
            }
            QVERIFY(window.inspectPanel()->adapterDir().isEmpty());

            QElapsedTimer clock;
            clock.start();
            QVERIFY(window.close()); // stops the job, waits for its checkpoint, joins threads
            quitMs = clock.elapsed();
            // What the stopped job queued before its thread ended is delivered now, while the
            // window still exists (as in main() after the event loop saw the close).
            QTest::qWait(300);
            QVERIFY(train->isShutDown());
            QVERIFY(!train->isTraining());
            QCOMPARE(train->worker(), nullptr);
            QVERIFY(window.inspectPanel()->isShutDown());
            // The finished run must not have been handed to the (deleted) inspect worker.
            QVERIFY(window.inspectPanel()->adapterDir().isEmpty());
            train->startTraining(); // after shutdown: does nothing, crashes nothing
            QVERIFY(!train->isTraining());
        }
        qInfo("quit %d: close() returned after %lld ms", m_round - 1, quitMs);
        QVERIFY2(quitMs < kQuitBudgetMs, qPrintable(QString::number(quitMs)));
        const RunRecord run = RunRecord::load(runDir.toStdString());
        QVERIFY(!run.steps.empty());
        QVERIFY(!AtomicDirectory::resolve(runDir.toStdString() + "/checkpoint").empty());
        if (when == QuitWhen::AfterBest)
            QVERIFY(QFileInfo::exists(runDir + QStringLiteral("/best")));
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath("settings"));
        QCoreApplication::setOrganizationName(QStringLiteral("FS-LLM Studio Tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_studioquit"));
        m_model = m_dir.filePath("model");
        TinyCheckpointOptions options;
        options.corpusPath = FSLLM_SOURCE_DIR "/resources/corpus/tiny_corpus.txt";
        TinyCheckpoint::write(m_model.toStdString(), options);
        m_train = m_dir.filePath("train.tsv");
        m_dev = m_dir.filePath("dev.tsv");
        testing::writeCueTsv(m_train, 96, 1);
        testing::writeCueTsv(m_dev, 24, 2);
    }

    void quitAfterBestWasWritten() {
        for (int i = 0; i < kRounds; ++i)
            quitMidRun(QuitWhen::AfterBest);
    }

    void quitAfterAStep() {
        for (int i = 0; i < kRounds; ++i)
            quitMidRun(QuitWhen::AfterStep);
    }

    void quitWhilePaused() {
        for (int i = 0; i < kRounds; ++i)
            quitMidRun(QuitWhen::WhilePaused);
    }

    void quitBeforeTheJobStarted() {
        // Close right after Start: the job may not have begun; nothing hangs or crashes.
        const QString runDir = m_dir.filePath(QStringLiteral("runs/early"));
        QElapsedTimer clock;
        {
            MainWindow window;
            window.show();
            testing::configureShortRun(window.trainPanel()->form(), m_model, m_train, m_dev, runDir,
                                       50);
            window.trainPanel()->startTraining();
            clock.start();
            QVERIFY(window.close());
            QTest::qWait(200);
        }
        QVERIFY2(clock.elapsed() < kQuitBudgetMs + 300,
                 qPrintable(QString::number(clock.elapsed())));
    }
};

QTEST_MAIN(TestStudioQuit)
#include "tst_studioquit.moc"
