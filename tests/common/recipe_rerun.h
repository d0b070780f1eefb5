#pragma once
// For the recipe tests: the `tokenscope` command embedded in an exported figure, read from the
// file itself (PNG text chunk, SVG <desc>, PDF /Creator), the figure rendered as pixels (PDF via
// poppler's pdftoppm), and the command run as a user would, from the file's folder.
#include "core/settings/recipe_command.h"
#include "tests/common/cli_runner.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QXmlStreamReader>

namespace ts::test {

inline QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The "Command: ..." line of SVG/PDF metadata text.
inline QString commandLineOf(const QString& text)
{
    for (const QString& line : text.split('\n'))
        if (line.startsWith("Command: "))
            return line.mid(9);
    return {};
}

// The PDF's /Creator string: a literal (...) string, UTF-16BE after a byte-order mark.
inline QString pdfCreator(const QByteArray& pdf)
{
    const int at = pdf.indexOf("/Creator (");
    if (at < 0)
        return {};
    QByteArray raw;
    for (int i = at + 10; i < pdf.size(); ++i) {
        const char c = pdf[i];
        if (c == '\\' && i + 1 < pdf.size()) {
            const char n = pdf[++i];
            raw += n == 'n' ? '\n' : n == 'r' ? '\r' : n == 't' ? '\t' : n;
        } else if (c == ')') {
            break;
        } else {
            raw += c;
        }
    }
    if (raw.startsWith("\xfe\xff")) {
        QString out;
        for (int i = 2; i + 1 < raw.size(); i += 2)
            out += QChar(static_cast<char16_t>((static_cast<unsigned char>(raw[i]) << 8) | static_cast<unsigned char>(raw[i + 1])));
        return out;
    }
    return QString::fromLatin1(raw);
}

inline QString embeddedCommand(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png")
        return QImage(path).text("tokenscope:command");
    if (suffix == "svg") {
        QXmlStreamReader xml(fileBytes(path));
        while (!xml.atEnd() && !xml.hasError()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == QLatin1String("desc"))
                return commandLineOf(xml.readElementText());
        }
        return {};
    }
    return commandLineOf(pdfCreator(fileBytes(path)));
}

// The figure as pixels: PNG as stored, SVG rendered at its size, PDF's page at 96 DPI.
inline QImage renderedFile(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png")
        return QImage(path).convertToFormat(QImage::Format_RGB32);
    if (suffix == "svg") {
        QSvgRenderer svg(path);
        if (!svg.isValid())
            return {};
        QImage image(svg.defaultSize(), QImage::Format_RGB32);
        image.fill(Qt::white);
        QPainter p(&image);
        svg.render(&p);
        p.end();
        return image;
    }
    QTemporaryDir dir;
    QProcess pdftoppm;
    pdftoppm.start("pdftoppm", {"-png", "-r", "96", "-singlefile", path, dir.filePath("page")});
    if (!pdftoppm.waitForFinished(60000) || pdftoppm.exitCode() != 0)
        return {};
    return QImage(dir.filePath("page.png")).convertToFormat(QImage::Format_RGB32);
}

struct Rerun {
    QString command, error;
    QImage before, after;
};

// Reads the file's command, renders the file, runs the command in the file's folder (it writes
// the file again under the name it was given) and renders the result.
inline Rerun rerunEmbeddedCommand(const QString& path, int timeoutMs = 300000)
{
    Rerun r;
    r.command = embeddedCommand(path);
    r.before = renderedFile(path);
    if (r.command.isEmpty()) {
        r.error = "no command in " + path;
        return r;
    }
    std::vector<std::string> args = splitCommandLine(r.command.toStdString());
    if (args.empty() || args.front() != "tokenscope") {
        r.error = "not a tokenscope command: " + r.command;
        return r;
    }
    QStringList list;
    for (std::size_t i = 1; i < args.size(); ++i)
        list << QString::fromStdString(args[i]);
    const QString dir = QFileInfo(path).absolutePath();
    QFile::remove(path);
    const CliRun run = runTokenscope(list, timeoutMs, dir);
    if (run.code != 0) {
        r.error = QString("exit %1: %2").arg(run.code).arg(run.err.trimmed());
        return r;
    }
    r.after = renderedFile(path);
    if (r.after.isNull())
        r.error = "the command wrote no readable " + path;
    if (!qEnvironmentVariableIsEmpty("TS_RECIPE_DEBUG_DIR") && r.after != r.before) { // to look at a mismatch
        const QDir debug(qEnvironmentVariable("TS_RECIPE_DEBUG_DIR"));
        r.before.save(debug.filePath(QFileInfo(path).fileName() + ".before.png"));
        r.after.save(debug.filePath(QFileInfo(path).fileName() + ".after.png"));
    }
    return r;
}

} // namespace ts::test
