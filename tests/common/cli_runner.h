#pragma once
// Runs the built `tokenscope` executable as a user would, for the command-line tests.
#include <QString>
#include <QStringList>

namespace ts::test {

struct CliRun {
    int code = -1; // exit code; -1 timed out, -2 crashed
    QString out, err;
    // Peaks of the child's address space and resident memory (VmPeak, VmHWM from /proc), read
    // every few milliseconds while it runs: lower bounds, 0 when the run was too short to see.
    long long peakVirtualBytes = 0, peakResidentBytes = 0;
};

// Limits set in the child only (setrlimit between fork and exec), to make a full disk or a
// small machine real without root: a file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so
// write() fails with EFBIG where a full disk gives ENOSPC) and an address-space limit
// (RLIMIT_AS: an allocation past it fails, so a run that stays under it never needed more).
struct CliLimits {
    long long fileSizeBytes = -1;     // -1: unlimited
    long long addressSpaceBytes = -1; // -1: unlimited
};

CliRun runTokenscope(const QStringList& args, int timeoutMs = 120000, const QString& workingDir = {},
                     const CliLimits& limits = {});

// The lines of stderr the command printed itself ("tokenscope <command>: ..."), each ending in
// '\n', so a test can check that bad input gives exactly one line.
QString commandErrorLines(const CliRun& run, const QString& command);

} // namespace ts::test
