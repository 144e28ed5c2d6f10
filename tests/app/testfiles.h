// File helpers shared by the app suites: read, write and copy test fixtures. The writers use
// QVERIFY, so a failure fails the calling test (check QTest::currentTestFailed() after them).
// Thread-safety: call from the test thread.
#pragma once

#include <QByteArray>
#include <QString>

class TestFiles {
public:
    // The whole file, or empty (with a warning) when it cannot be read.
    static QByteArray read(const QString& path);
    // Replaces `path` with `bytes`.
    static void write(const QString& path, const QByteArray& bytes);
    // Copies the files of folder `from` into a new folder `to`, writable.
    static void copyFolder(const QString& from, const QString& to);
};
