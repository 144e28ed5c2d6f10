// ThroughputMeter: tokens/s over training time only. Times are given explicitly, so the
// arithmetic is exact: an evaluation between two records (paused time) must not raise the next
// record, which is what the old meter did (it restarted its clock after each evaluation but kept
// counting the tokens trained before it).
#include "throughputmeter.h"

#include <QtTest>

using fsllm::ThroughputMeter;

namespace {

ThroughputMeter::Clock::time_point at(double seconds) {
    return ThroughputMeter::Clock::time_point(
        std::chrono::duration_cast<ThroughputMeter::Clock::duration>(
            std::chrono::duration<double>(seconds)));
}

} // namespace

class TestThroughputMeter : public QObject {
    Q_OBJECT

private slots:
    void steadyTraining() {
        ThroughputMeter meter(at(0));
        meter.addTokens(500);
        meter.addTokens(500);
        QCOMPARE(meter.take(at(2)), 500.0);
        meter.addTokens(300);
        QCOMPARE(meter.take(at(3)), 300.0); // a new window starts at each take
    }

    // 4 steps of 100 tokens at 1 s each, an evaluation of 10 s after step 2: still 100 tokens/s.
    void evaluationBetweenRecordsIsNotCounted() {
        ThroughputMeter meter(at(0));
        meter.addTokens(100);
        meter.addTokens(100);
        meter.pause(at(2));
        meter.resume(at(12));
        meter.addTokens(100);
        meter.addTokens(100);
        QCOMPARE(meter.take(at(14)), 100.0);
    }

    void repeatedPauseAndResumeChangeNothing() {
        ThroughputMeter meter(at(0));
        meter.addTokens(100);
        meter.pause(at(1));
        meter.pause(at(5));
        meter.resume(at(6));
        meter.resume(at(9));
        meter.addTokens(100);
        QCOMPARE(meter.take(at(7)), 100.0);
    }

    // A record taken while paused counts the time up to the pause; resume() opens the next.
    void takeWhilePaused() {
        ThroughputMeter meter(at(0));
        meter.addTokens(200);
        meter.pause(at(2));
        QCOMPARE(meter.take(at(30)), 100.0);
        meter.resume(at(40));
        meter.addTokens(50);
        QCOMPARE(meter.take(at(41)), 50.0);
    }

    void noTimeNoRate() {
        ThroughputMeter meter(at(5));
        meter.addTokens(10);
        QCOMPARE(meter.take(at(5)), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestThroughputMeter)
#include "tst_throughputmeter.moc"
