#include "ui/figures/output_files.h"

#include <QFile>

namespace ts {
namespace {

std::string nativePath(const QString& path) { return QFile::encodeName(path).toStdString(); }

} // namespace

void OutputFiles::reserve(const QString& path) { m_transaction.reserve(nativePath(path)); }

void OutputFiles::stage(const QString& path, const QByteArray& bytes)
{
    m_transaction.stage(nativePath(path), std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())));
}

void OutputFiles::commit() { m_transaction.commit(); }

QStringList OutputFiles::stagedPaths() const
{
    QStringList out;
    for (const std::string& p : m_transaction.stagedPaths())
        out << QFile::decodeName(QByteArray::fromStdString(p));
    return out;
}

void writeFileAtomically(const QString& path, const QByteArray& bytes)
{
    OutputFiles files;
    files.stage(path, bytes);
    files.commit();
}

} // namespace ts
