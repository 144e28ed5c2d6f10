#include "testfiles.h"

#include <QDir>
#include <QFile>
#include <QtTest>

QByteArray TestFiles::read(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qWarning("cannot read %s", qPrintable(path));
    return file.readAll();
}

void TestFiles::write(const QString& path, const QByteArray& bytes) {
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    QCOMPARE(file.write(bytes), bytes.size());
}

void TestFiles::copyFolder(const QString& from, const QString& to) {
    QVERIFY(QDir().mkpath(to));
    const QStringList names = QDir(from).entryList(QDir::Files);
    QVERIFY2(!names.isEmpty(), qPrintable(from));
    for (const QString& name : names) {
        const QString target = to + QLatin1Char('/') + name;
        QVERIFY2(QFile::copy(from + QLatin1Char('/') + name, target), qPrintable(target));
        QFile(target).setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    }
}
