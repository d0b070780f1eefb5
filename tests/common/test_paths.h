#pragma once
// Paths the tests share: the bundled samples, a scratch folder, the built executable.
#include <QString>

namespace ts::test {

QString sourceDir();                    // repository root
QString sampleImage(const QString& name); // resources/images/<name>
QString tokenscopeExecutable();         // the built `tokenscope` (from CTest's environment)

} // namespace ts::test
