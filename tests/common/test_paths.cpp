#include "tests/common/test_paths.h"

#include <QDir>

namespace ts::test {

QString sourceDir() { return QStringLiteral(TS_SOURCE_DIR); }

QString sampleImage(const QString& name) { return QDir(sourceDir()).filePath("resources/images/" + name); }

QString tokenscopeExecutable()
{
    const QByteArray fromEnv = qgetenv("TOKENSCOPE_EXE");
    if (!fromEnv.isEmpty())
        return QString::fromLocal8Bit(fromEnv);
    return QDir(QStringLiteral(TS_BINARY_DIR)).filePath("app/tokenscope");
}

} // namespace ts::test
