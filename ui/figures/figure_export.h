#pragma once
// One export path for every figure: the same paint function draws on screen, into PNG (at a
// chosen scale), SVG and PDF. Files are written to a temporary name and renamed, so a failure
// leaves nothing half-written and an existing file intact.
#include <QImage>
#include <QRectF>
#include <QSizeF>
#include <QString>

#include <functional>

class QPainter;

namespace ts {

enum class FigureFormat { Png, Svg, Pdf };

// A figure: its natural size in logical pixels and how to paint it into a target rectangle.
struct Figure {
    QSizeF size;
    std::function<void(QPainter&, const QRectF&)> paint;
    QString title;       // shown in SVG/PDF metadata
    QString description; // model, weights, parameters: what produced it
    QString recipeJson;  // the settings as JSON (embedded and written beside the file)
    QString command;     // the `tokenscope` command that regenerates it
};

// Picks the format from the file suffix (.png, .svg, .pdf); throws ts::Error otherwise.
FigureFormat figureFormatForPath(const QString& path);

// Renders the figure to an image at `scale` times its natural size (white background).
QImage renderFigure(const Figure& figure, double scale = 1.0);

// Writes the figure; `scale` applies to PNG. Throws ts::Error with a one-line message when the
// path cannot be written. Also writes `<path>.recipe.json` when the figure carries a recipe.
void exportFigure(const Figure& figure, const QString& path, double scale = 1.0);

// Writes bytes to `path` atomically (temporary file + rename); throws ts::Error on failure.
void writeFileAtomically(const QString& path, const QByteArray& bytes);

} // namespace ts
