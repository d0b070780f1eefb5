#include "ui/figures/figure_export.h"

#include "core/util/error.h"

#include <QBuffer>
#include <QFileInfo>
#include <QImageWriter>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
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

QImage renderFigure(const Figure& figure, double scale)
{
    const QSize pixels = (figure.size * scale).toSize().expandedTo(QSize(1, 1));
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    figure.paint(painter, QRectF(QPointF(0, 0), figure.size));
    painter.end();
    return image;
}

void writeFileAtomically(const QString& path, const QByteArray& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error("cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
    if (file.write(bytes) != bytes.size() || !file.commit())
        throw Error("cannot write '" + path.toStdString() + "': " + file.errorString().toStdString());
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
    generator.setTitle(figure.title);
    generator.setDescription(metadataText(figure));
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
    if (!(scale > 0) || scale > 16)
        throw Error("export scale must be between 0 and 16, got " + std::to_string(scale));
    QByteArray bytes;
    switch (figureFormatForPath(path)) {
    case FigureFormat::Png: bytes = pngBytes(figure, scale); break;
    case FigureFormat::Svg: bytes = svgBytes(figure); break;
    case FigureFormat::Pdf: bytes = pdfBytes(figure); break;
    }
    writeFileAtomically(path, bytes);
    if (!figure.recipeJson.isEmpty()) {
        QJsonObject recipe;
        recipe["settings"] = QJsonDocument::fromJson(figure.recipeJson.toUtf8()).object();
        recipe["command"] = figure.command;
        recipe["description"] = figure.description;
        writeFileAtomically(path + ".recipe.json", QJsonDocument(recipe).toJson());
    }
}

} // namespace ts
