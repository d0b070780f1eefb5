#pragma once
// The Qt face of core/io/file_transaction.h, for everything ui/ and app/ write (figures, recipes,
// data JSON and CSV, sessions, Export All): QString paths and QByteArray contents, the same
// checked writes (every write, fsync and close before the rename) and all-or-none commit.
#include "core/io/file_transaction.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace ts {

class OutputFiles {
public:
    // See FileTransaction::reserve: refuses an unwritable target or the same path twice.
    void reserve(const QString& path);
    // Writes a temporary file for `path` now; throws ts::Error and leaves no file on failure.
    void stage(const QString& path, const QByteArray& bytes);
    // Every staged file into place, all or none.
    void commit();
    QStringList stagedPaths() const;

private:
    FileTransaction m_transaction;
};

// A transaction of one file: written atomically, checked, the previous file kept on failure.
void writeFileAtomically(const QString& path, const QByteArray& bytes);

} // namespace ts
