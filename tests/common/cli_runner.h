#pragma once
// Runs the built `tokenscope` executable as a user would, for the command-line tests.
#include <QString>
#include <QStringList>

namespace ts::test {

struct CliRun {
    int code = -1; // exit code; -1 timed out, -2 crashed
    QString out, err;
};

CliRun runTokenscope(const QStringList& args, int timeoutMs = 120000, const QString& workingDir = {});

} // namespace ts::test
