// Runs the real `fsllm` binary as a child process for the app suites and judges the result
// against the command-line contract: bad input exits with code exactly 2 and prints one stderr
// line holding given fragments; nothing crashes (a signal) or hangs (every run has a 60 s limit).
// Thread-safety: call from the test thread.
#pragma once

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>

class CliRunner {
public:
    struct Run {
        bool finished = false; // false: it did not start, or it hung and was killed
        QProcess::ExitStatus status = QProcess::CrashExit;
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    static constexpr int kTimeoutMs = 60'000;

    // Runs fsllm with `args`, waiting at most `timeoutMs` for it to finish. Arguments whose bytes
    // are not UTF-8 reach the child unchanged (it execs fsllm itself with the raw bytes).
    static Run run(const QList<QByteArray>& args, int timeoutMs = kTimeoutMs);
    static Run run(const QStringList& args, int timeoutMs = kTimeoutMs);

    // Whether `bytes` survive a round trip through QString (valid UTF-8).
    static bool survivesUtf8(const QByteArray& bytes);
    // The non-empty output split into lines.
    static QStringList outputLines(const QByteArray& output);

    // Why `run` did not finish normally (empty when it did): a hang, or a crash by a signal.
    static QString finishProblem(const Run& run);
    // Why `run` breaks the bad-input contract (empty when it keeps it): a normal exit with code
    // exactly 2 and exactly one stderr line, containing every one of `fragments`.
    static QString refusalProblem(const Run& run, const QStringList& fragments);
    // Why `run` did not succeed (empty when it exited 0).
    static QString successProblem(const Run& run);
};
