#include "tests/common/cli_runner.h"

#include "tests/common/test_paths.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>

#include <algorithm>

#include <csignal>
#include <sys/resource.h>

namespace ts::test {

CliRun runTokenscope(const QStringList& args, int timeoutMs, const QString& workingDir, const CliLimits& limits)
{
    QProcess p;
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    p.setStandardInputFile(QProcess::nullDevice()); // a command never waits on the terminal
    if (limits.fileSizeBytes >= 0 || limits.addressSpaceBytes >= 0)
        p.setChildProcessModifier([limits] { // runs in the child after fork: async-signal-safe calls only
            if (limits.fileSizeBytes >= 0) {
                std::signal(SIGXFSZ, SIG_IGN); // kept across exec
                const rlimit r{rlim_t(limits.fileSizeBytes), rlim_t(limits.fileSizeBytes)};
                setrlimit(RLIMIT_FSIZE, &r);
            }
            if (limits.addressSpaceBytes >= 0) {
                const rlimit r{rlim_t(limits.addressSpaceBytes), rlim_t(limits.addressSpaceBytes)};
                setrlimit(RLIMIT_AS, &r);
            }
        });
    p.start(tokenscopeExecutable(), args);
    CliRun run;
    QElapsedTimer timer;
    timer.start();
    const QString status = QString("/proc/%1/status").arg(p.processId());
    while (!p.waitForFinished(5)) {
        if (p.state() == QProcess::NotRunning)
            break;
        if (timer.elapsed() > timeoutMs) {
            p.kill();
            p.waitForFinished();
            run.err = "timed out";
            return run;
        }
        QFile f(status);
        if (f.open(QIODevice::ReadOnly))
            for (const QByteArray& line : f.readAll().split('\n')) {
                auto kib = [&line](const char* key) { return line.mid(qstrlen(key)).trimmed().split(' ').first().toLongLong() * 1024; };
                if (line.startsWith("VmPeak:"))
                    run.peakVirtualBytes = std::max(run.peakVirtualBytes, kib("VmPeak:"));
                else if (line.startsWith("VmHWM:"))
                    run.peakResidentBytes = std::max(run.peakResidentBytes, kib("VmHWM:"));
            }
    }
    run.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    run.out = QString::fromUtf8(p.readAllStandardOutput());
    run.err = QString::fromUtf8(p.readAllStandardError());
    return run;
}

QString commandErrorLines(const CliRun& run, const QString& command)
{
    QString ours;
    for (const QString& line : run.err.trimmed().split('\n', Qt::SkipEmptyParts))
        if (line.startsWith("tokenscope " + command + ":"))
            ours += line + "\n";
    return ours;
}

} // namespace ts::test
