// The Train tab's "Processes" option (offscreen): with 2 processes a run trains data-parallel in
// `fsllm train --nproc 2` started by the studio (LocalProcessJob), and the monitor's curves fill
// from the run folder as it is written; Pause is off; Stop stops every rank with a checkpoint and
// the run resumes on 2 processes to completion; closing the panel mid-run stops the ranks and keeps
// the checkpoint; the settings are checked before the launch (a used run folder is refused, Stop
// during the checks starts nothing); a missing command-line tool is reported in the panel.
#include "atomicdirectory.h"
#include "livecurveplot.h"
#include "localprocessjob.h"
#include "runrecord.h"
#include "studiotestdata.h"
#include "tinycheckpoint.h"
#include "trainingmonitor.h"
#include "trainpanel.h"
#include "trainsettingsform.h"

#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace fsllm;

namespace {

constexpr int kTrainTimeoutMs = 180'000;

int worldSizeOf(const QString& runDir) {
    QFile file(runDir + QStringLiteral("/run.json"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    return nlohmann::json::parse(file.readAll().toStdString()).value("world_size", -1);
}

QPushButton* button(TrainPanel& panel, const QString& text) {
    for (QPushButton* candidate : panel.findChildren<QPushButton*>())
        if (candidate->text() == text)
            return candidate;
    return nullptr;
}

} // namespace

class TestStudioProcesses : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_model, m_train, m_dev;
    QString path(const QString& name) const { return m_dir.filePath(name); }

    void configure(TrainPanel& panel, const QString& runDir, int epochs) {
        testing::configureShortRun(panel.form(), m_model, m_train, m_dev, runDir, epochs);
        panel.form()->setThreads(1);
        panel.form()->setProcesses(2);
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        testing::isolateSettings(path("settings"), QStringLiteral("tst_studioprocesses"));
        qputenv("FSLLM_CLI", FSLLM_CLI_PATH);
        m_model = path("model");
        testing::writeTinyModel(m_model, 0.1);
        m_train = path("train.tsv");
        m_dev = path("dev.tsv");
        testing::writeCueTsv(m_train, 48, 1);
        testing::writeCueTsv(m_dev, 24, 2);
    }

    // 48 examples / batch 8 x 2 epochs = 12 steps, an evaluation every 4 steps and at each epoch's
    // end: every record of metrics.jsonl reaches the monitor once.
    void trainsOnTwoProcesses() {
        TrainPanel panel;
        panel.show();
        const QString runDir = path("runs/two");
        configure(panel, runDir, 2);
        QSignalSpy steps(panel.processJob(), &LocalProcessJob::stepped);
        QSignalSpy finished(panel.processJob(), &LocalProcessJob::finished);
        QSignalSpy failed(panel.processJob(), &LocalProcessJob::failed);
        QSignalSpy started(&panel, &TrainPanel::trainingStarted);
        panel.startTraining();
        QVERIFY(panel.isTraining());
        QVERIFY(!button(panel, QStringLiteral("Pause"))->isEnabled());
        QVERIFY(button(panel, QStringLiteral("Stop"))->isEnabled());
        QVERIFY(finished.wait(kTrainTimeoutMs) || !finished.isEmpty() || !failed.isEmpty());
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
        QVERIFY(!panel.isTraining());
        QCOMPARE(started.size(), 1);
        QCOMPARE(started[0][0].toString(), runDir);

        const auto summary = finished[0][0].value<TrainingSummary>();
        QVERIFY(summary.completed);
        QCOMPARE(summary.steps, 12);
        QCOMPARE(worldSizeOf(runDir), 2);
        const RunRecord run = RunRecord::load(runDir.toStdString());
        QCOMPARE(int(run.steps.size()), 12);
        QCOMPARE(steps.size(), 12);
        const TrainingMonitor* monitor = panel.monitor();
        QCOMPARE(monitor->trainLossPlot()->pointCount("train loss"), 12);
        QCOMPARE(monitor->scoresPlot()->pointCount("accuracy"), int(run.evals.size()));
        QCOMPARE(int(run.evals.size()), 4); // steps 4, 6 (epoch end), 8, 12
        QVERIFY(summary.best.step > 0);
        QCOMPARE(summary.best.accuracy, run.best()->accuracy);
        QVERIFY(panel.messageText().contains(QStringLiteral("completed after 12 steps")));
    }

    // Stop: every rank stops at one step with a checkpoint; Resume run continues it on the
    // processes the form gives, to the end.
    void stopThenResume() {
        TrainPanel panel;
        panel.show();
        const QString runDir = path("runs/stopped");
        configure(panel, runDir, 200);
        QSignalSpy steps(panel.processJob(), &LocalProcessJob::stepped);
        QSignalSpy finished(panel.processJob(), &LocalProcessJob::finished);
        QSignalSpy failed(panel.processJob(), &LocalProcessJob::failed);
        panel.startTraining();
        QVERIFY(steps.wait(kTrainTimeoutMs));
        panel.stopTraining();
        QVERIFY(finished.wait(kTrainTimeoutMs) || !finished.isEmpty());
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
        const auto stopped = finished[0][0].value<TrainingSummary>();
        QVERIFY(!stopped.completed);
        QCOMPARE(QString::fromStdString(stopped.stopReason), QStringLiteral("stopped by user"));
        QVERIFY(stopped.steps > 0 && stopped.steps < 200 * 6);
        QVERIFY(!AtomicDirectory::resolve(runDir.toStdString() + "/checkpoint").empty());

        QCOMPARE(worldSizeOf(runDir), 2);
        finished.clear();
        panel.resumeRun(runDir);
        QVERIFY(panel.isTraining());
        QVERIFY(steps.wait(kTrainTimeoutMs));
        const int resumedAt = steps.last()[0].value<StepRecord>().step;
        QVERIFY(resumedAt > stopped.steps);
        panel.stopTraining();
        QVERIFY(finished.wait(kTrainTimeoutMs) || !finished.isEmpty());
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed[0][0].toString()));
        const RunRecord run = RunRecord::load(runDir.toStdString());
        QVERIFY(run.steps.back().step >= resumedAt);
        QVERIFY(run.steps.front().step == 1); // the records before the stop are kept
        // Each step once on the monitor: the earlier ones from the folder, the new ones live.
        QCOMPARE(panel.monitor()->trainLossPlot()->pointCount("train loss"),
                 run.steps.back().step);
    }

    // Closing the panel mid-run (the studio quitting): the ranks stop, the checkpoint stays, and
    // the job's late signals do not reach the gone panel.
    void shutdownStopsTheRanks() {
        const QString runDir = path("runs/quit");
        {
            TrainPanel panel;
            panel.show();
            configure(panel, runDir, 200);
            QSignalSpy steps(panel.processJob(), &LocalProcessJob::stepped);
            panel.startTraining();
            QVERIFY(steps.wait(kTrainTimeoutMs));
            panel.shutdown();
            QVERIFY(!panel.processJob()->isRunning());
            QVERIFY(!panel.isTraining());
        }
        QVERIFY(!AtomicDirectory::resolve(runDir.toStdString() + "/checkpoint").empty());
        QFile log(runDir + QStringLiteral("/train.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("finished: stopped by user"));
    }

    // The in-process run's checks come first (RunPreflight): a run folder that holds results is
    // refused and left as it was; Stop before the launch starts nothing.
    void checkedBeforeTheLaunch() {
        TrainPanel panel;
        panel.show();
        const QString used = path("runs/two"); // trainsOnTwoProcesses's run
        const QByteArray metrics = [&] {
            QFile file(used + QStringLiteral("/metrics.jsonl"));
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        QVERIFY(!metrics.isEmpty());
        configure(panel, used, 1);
        QSignalSpy failed(panel.processJob(), &LocalProcessJob::failed);
        panel.startTraining();
        QVERIFY(failed.wait(30'000) || !failed.isEmpty());
        QVERIFY2(panel.messageText().contains(QStringLiteral("already holds")),
                 qPrintable(panel.messageText()));
        QFile file(used + QStringLiteral("/metrics.jsonl"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), metrics);

        const QString early = path("runs/early");
        configure(panel, early, 1);
        failed.clear();
        panel.startTraining();
        panel.stopTraining(); // while the checks run
        QVERIFY(failed.wait(30'000) || !failed.isEmpty());
        QVERIFY2(failed[0][0].toString().contains(QStringLiteral("stopped before the run started")),
                 qPrintable(failed[0][0].toString()));
        QVERIFY(!panel.isTraining());
        QVERIFY(!QFileInfo::exists(early));
    }

    void missingToolIsReported() {
        qputenv("FSLLM_CLI", QFile::encodeName(path("no-such-fsllm")));
        TrainPanel panel;
        panel.show();
        configure(panel, path("runs/missing"), 1);
        QSignalSpy failed(panel.processJob(), &LocalProcessJob::failed);
        panel.startTraining();
        QVERIFY(failed.wait(30'000) || !failed.isEmpty());
        QVERIFY(!panel.isTraining());
        QVERIFY2(panel.messageText().contains(QStringLiteral("could not be started")),
                 qPrintable(panel.messageText()));
        QVERIFY(panel.messageText().contains(QStringLiteral("no-such-fsllm")));
        qputenv("FSLLM_CLI", FSLLM_CLI_PATH);
    }
};

QTEST_MAIN(TestStudioProcesses)
#include "tst_studioprocesses.moc"
