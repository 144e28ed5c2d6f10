// Running fsllm for the app suites (see clirunner.h). FSLLM_CLI_PATH is the binary's path, set by
// tests/app/CMakeLists.txt.
#include "clirunner.h"

#include <unistd.h>

#include <vector>

bool CliRunner::survivesUtf8(const QByteArray& bytes) {
    return QString::fromUtf8(bytes).toUtf8() == bytes;
}

// QProcess hands QString arguments to the child re-encoded as UTF-8, so bytes that are not UTF-8
// cannot reach it that way; when an argument has such bytes, the forked child execs fsllm itself.
CliRunner::Run CliRunner::run(const QList<QByteArray>& args, int timeoutMs) {
    QList<QByteArray> argvBytes = args;
    argvBytes.prepend(QByteArray(FSLLM_CLI_PATH));
    std::vector<char*> argv;
    for (QByteArray& arg : argvBytes)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    QProcess process;
    process.setProgram(QStringLiteral(FSLLM_CLI_PATH));
    QStringList arguments;
    bool raw = false;
    for (const QByteArray& arg : args) {
        arguments << QString::fromUtf8(arg);
        raw = raw || !survivesUtf8(arg);
    }
    process.setArguments(arguments);
    if (raw) {
        process.setChildProcessModifier([&argv] {
            ::execv(argv[0], argv.data());
            ::_exit(127);
        });
    }

    Run result;
    process.start();
    if (!process.waitForStarted(kTimeoutMs))
        return result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.finished = true;
    result.status = process.exitStatus();
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

CliRunner::Run CliRunner::run(const QStringList& args, int timeoutMs) {
    QList<QByteArray> bytes;
    for (const QString& arg : args)
        bytes << arg.toUtf8();
    return run(bytes, timeoutMs);
}

QStringList CliRunner::outputLines(const QByteArray& output) {
    const QString text = QString::fromUtf8(output).trimmed();
    return text.isEmpty() ? QStringList() : text.split(QLatin1Char('\n'));
}

QString CliRunner::finishProblem(const Run& run) {
    if (!run.finished)
        return QStringLiteral("fsllm did not start or did not finish within %1 s (a hang)")
            .arg(kTimeoutMs / 1000);
    if (run.status != QProcess::NormalExit)
        return QStringLiteral("fsllm crashed; stderr:\n") + QString::fromUtf8(run.err);
    return {};
}

QString CliRunner::refusalProblem(const Run& run, const QStringList& fragments) {
    const QString problem = finishProblem(run);
    if (!problem.isEmpty())
        return problem;
    if (run.exitCode != 2)
        return QStringLiteral("exit code %1, expected 2; stderr:\n%2")
            .arg(run.exitCode)
            .arg(QString::fromUtf8(run.err));
    const QStringList lines = outputLines(run.err);
    if (lines.size() != 1)
        return QStringLiteral("%1 stderr lines, expected 1:\n%2")
            .arg(lines.size())
            .arg(QString::fromUtf8(run.err));
    for (const QString& fragment : fragments)
        if (!lines.first().contains(fragment))
            return QStringLiteral("the stderr line does not name '%1': %2")
                .arg(fragment, lines.first());
    return {};
}

QString CliRunner::successProblem(const Run& run) {
    const QString problem = finishProblem(run);
    if (!problem.isEmpty())
        return problem;
    if (run.exitCode != 0)
        return QStringLiteral("exit code %1, expected 0; stderr:\n%2")
            .arg(run.exitCode)
            .arg(QString::fromUtf8(run.err));
    return {};
}
