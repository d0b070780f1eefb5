#pragma once
// One export path for every figure: the same paint function draws on screen, into PNG (at a
// chosen scale), SVG and PDF. Files are written through OutputFiles (temporary name, every write
// checked, renamed), so a failure leaves nothing half-written and an existing file intact.
#include "ui/figures/output_files.h"

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
    QString command;     // the `tokenscope` command that regenerates it, without the output: the
                         // export adds `--out FILE` (and `--scale`), ui/figures/figure_recipe.h
};

// Picks the format from the file suffix (.png, .svg, .pdf); throws ts::Error otherwise.
FigureFormat figureFormatForPath(const QString& path);

// A figure's natural size is in logical pixels at 96 per inch (CSS and Qt's reference), so a PNG at
// N DPI is rendered at scale N / 96 and says N DPI in its physical-size metadata (pHYs chunk): a
// 2x export is the same physical size as 1x with twice the pixels per inch.
constexpr double kFigureLogicalDpi = 96.0;
constexpr double kMaxFigureScale = 16.0;
// N DPI as a scale; throws ts::Error unless 0 < dpi <= 96 * kMaxFigureScale.
double scaleForDpi(double dpi);

// Renders the figure to an image at `scale` times its natural size (white background). Throws
// ts::Error with the numbers when the image would not fit in the memory available now.
QImage renderFigure(const Figure& figure, double scale = 1.0);
// Bytes renderFigure needs at `scale` (32-bit pixels) plus PNG encoding headroom.
qint64 figureRenderBytes(const Figure& figure, double scale);

// Writes the figure; `scale` applies to PNG (whose metadata then says 96 * scale DPI). Throws
// ts::Error with a one-line message when the path cannot be written. Also writes
// `<path>.recipe.json` when the figure carries a recipe; the two are one transaction.
void exportFigure(const Figure& figure, const QString& path, double scale = 1.0);
// The same files staged into `files` (committed by the caller with its other outputs).
void stageFigure(OutputFiles& files, const Figure& figure, const QString& path, double scale = 1.0);
// Reserves the paths stageFigure will write (the figure and, with a recipe, its .recipe.json), so
// a command refuses an unwritable or repeated path before any work.
void reserveFigure(OutputFiles& files, const QString& path, bool withRecipe = true);
// The same at N DPI (PNG); SVG and PDF are vector and ignore it.
inline void exportFigureAtDpi(const Figure& figure, const QString& path, double dpi)
{
    exportFigure(figure, path, scaleForDpi(dpi));
}

} // namespace ts
