#include "ui/figures/figure_export.h"

#include "core/util/memory_estimate.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "ui/figures/figure_recipe.h"

#include <QBuffer>
#include <QFileInfo>
#include <QImageWriter>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>


namespace ts {

FigureFormat figureFormatForPath(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == "png")
        return FigureFormat::Png;
    if (suffix == "svg")
        return FigureFormat::Svg;
    if (suffix == "pdf")
        return FigureFormat::Pdf;
    throw Error("'" + path.toStdString() + "': unknown figure format '" + suffix.toStdString()
                + "' (use .png, .svg or .pdf)");
}

double scaleForDpi(double dpi)
{
    if (!(dpi > 0) || dpi > kFigureLogicalDpi * kMaxFigureScale)
        throw Error("PNG resolution must be between 1 and " + std::to_string(int(kFigureLogicalDpi * kMaxFigureScale))
                    + " DPI, got " + QString::number(dpi).toStdString());
    return dpi / kFigureLogicalDpi;
}

qint64 figureRenderBytes(const Figure& figure, double scale)
{
    const QSize pixels = (figure.size * scale).toSize().expandedTo(QSize(1, 1));
    // The 32-bit image, plus the encoded PNG and zlib's buffers (at most about the image again).
    return 2 * 4 * qint64(pixels.width()) * pixels.height();
}

QImage renderFigure(const Figure& figure, double scale)
{
    const QSize pixels = (figure.size * scale).toSize().expandedTo(QSize(1, 1));
    const qint64 needed = figureRenderBytes(figure, scale);
    const std::int64_t available = availableMemoryBytes();
    if (available > 0 && needed > available)
        throw Error("a " + std::to_string(pixels.width()) + " x " + std::to_string(pixels.height())
                    + " pixel image needs ~" + formatBytes(double(needed)) + ", " + formatBytes(double(available))
                    + " available: use a smaller scale or DPI");
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) // QImage refuses sizes over its own limit (2 GiB of pixels)
        throw Error("cannot make a " + std::to_string(pixels.width()) + " x " + std::to_string(pixels.height())
                    + " pixel image: use a smaller scale or DPI");
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    figure.paint(painter, QRectF(QPointF(0, 0), figure.size));
    painter.end();
    return image;
}

namespace {

QString metadataText(const Figure& figure)
{
    QString text = figure.description;
    if (!figure.command.isEmpty())
        text += "\nCommand: " + figure.command;
    if (!figure.recipeJson.isEmpty())
        text += "\nRecipe: " + figure.recipeJson;
    return text;
}

QByteArray pngBytes(const Figure& figure, double scale)
{
    QImage image = renderFigure(figure, scale);
    // Physical size metadata: the figure keeps its size in inches at any scale.
    const int dotsPerMeter = qRound(kFigureLogicalDpi * scale / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    image.setText("Title", figure.title);
    image.setText("Description", figure.description);
    image.setText("Software", "TokenScope");
    if (!figure.command.isEmpty())
        image.setText("tokenscope:command", figure.command);
    if (!figure.recipeJson.isEmpty())
        image.setText("tokenscope:recipe", figure.recipeJson);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image))
        throw Error("PNG encoding failed: " + writer.errorString().toStdString());
    return bytes;
}

QByteArray svgBytes(const Figure& figure)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(figure.size.toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), figure.size));
    // QSvgGenerator writes both as they are: escaped here, so an '&' or '<' (a caption citing
    // "Abnar & Zuidema", an image path) keeps the SVG well-formed; XML readers unescape them.
    generator.setTitle(figure.title.toHtmlEscaped());
    generator.setDescription(metadataText(figure).toHtmlEscaped());
    QPainter painter(&generator);
    painter.setRenderHint(QPainter::Antialiasing);
    figure.paint(painter, QRectF(QPointF(0, 0), figure.size));
    painter.end();
    return bytes;
}

QByteArray pdfBytes(const Figure& figure)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setTitle(figure.title);
    writer.setCreator("TokenScope: " + metadataText(figure));
    writer.setResolution(72); // one figure pixel = one point
    writer.setPageSize(QPageSize(figure.size, QPageSize::Point));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter painter(&writer);
    painter.setRenderHint(QPainter::Antialiasing);
    // Map the figure's logical rectangle onto the page exactly.
    const QRectF page = painter.viewport();
    painter.scale(page.width() / figure.size.width(), page.height() / figure.size.height());
    figure.paint(painter, QRectF(QPointF(0, 0), figure.size));
    painter.end();
    return bytes;
}

} // namespace

void exportFigure(const Figure& figure, const QString& path, double scale)
{
    OutputFiles files;
    stageFigure(files, figure, path, scale);
    files.commit();
}

void reserveFigure(OutputFiles& files, const QString& path, bool withRecipe)
{
    figureFormatForPath(path);
    files.reserve(path);
    if (withRecipe)
        files.reserve(path + ".recipe.json");
}

void stageFigure(OutputFiles& files, const Figure& unresolved, const QString& path, double scale)
{
    if (!(scale > 0) || scale > kMaxFigureScale)
        throw Error("export scale must be above 0 and at most 16, got " + QString::number(scale).toStdString());
    // The embedded command names this file (and the PNG's scale): ui/figures/figure_recipe.h.
    Figure figure = unresolved;
    figure.command = figureCommandFor(unresolved, path, scale);
    QByteArray bytes;
    switch (figureFormatForPath(path)) {
    case FigureFormat::Png: bytes = pngBytes(figure, scale); break;
    case FigureFormat::Svg: bytes = svgBytes(figure); break;
    case FigureFormat::Pdf: bytes = pdfBytes(figure); break;
    }
    files.stage(path, bytes);
    if (!figure.recipeJson.isEmpty()) {
        QJsonObject recipe;
        recipe["settings"] = QJsonDocument::fromJson(figure.recipeJson.toUtf8()).object();
        recipe["command"] = figure.command;
        recipe["description"] = figure.description;
        files.stage(path + ".recipe.json", QJsonDocument(recipe).toJson());
    }
}

} // namespace ts
