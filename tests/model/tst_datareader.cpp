#include <QtTest>

class Tstdatareader : public QObject {
    Q_OBJECT
private slots:
    void placeholder() { QVERIFY(true); }
};

QTEST_GUILESS_MAIN(Tstdatareader)
#include "tst_datareader.moc"
