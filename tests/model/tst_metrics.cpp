#include <QtTest>

class Tstmetrics : public QObject {
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstmetrics)
#include "tst_metrics.moc"
