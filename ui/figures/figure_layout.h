#pragma once
// The layout every figure shares, like matplotlib's constrained layout: a figure is a title row,
// one to a few panels side by side or in rows (titles of one row start at one height), one
// legend under them and caption lines under that; a panel
// is its title, a data area, tick labels and axis titles (y left, x below), an optional colour
// bar column right of the data and statistics lines under it. Every piece of text is measured in
// the font it is drawn in (figure_type.h, QFontMetricsF) and the data areas get what is left, so
// nothing is clipped or overlapped for any panel count, window size or export scale (the layout
// is computed in the painter's logical pixels, which an export's scale multiplies).
//
// Use: describe the figure (FigureSpec), lay it out in the target (layoutFigure), paint the data
// into each PanelBoxes::data, then paintFigureFrame for the text, colour bars and legend, and
// paintXTick / paintYTick for ticks. Everything drawn is recorded (figure_record.h).
#include "ui/figures/colour_bar.h"
#include "ui/figures/figure_type.h"

#include <QColor>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

class QPainter;

namespace ts {

struct LegendEntry {
    enum class Swatch { Box, Line };
    QString text;
    QColor colour;
    Swatch swatch = Swatch::Box;
    Qt::PenStyle pen = Qt::SolidLine; // for Swatch::Line
};

struct PanelSpec {
    QString title;
    QString xTitle, yTitle;              // axis titles ("" for none)
    QStringList xTickLabels, yTickLabels; // the labels the axes will show: their size sets the space
    std::optional<ColourBar> colourBar;  // a colour bar column right of the data
    double aspect = 0;                   // data width / height; 0 takes all the space
    QStringList statistics;              // lines under the panel, each wrapped to its width
};

struct FigureSpec {
    QString title;
    std::vector<PanelSpec> panels;
    std::vector<LegendEntry> legend; // one legend box under the panels, entries in rows
    QStringList caption;             // lines under everything, each wrapped to the width
    double margin = 12, panelGap = 28, rowGap = 20;
    // Panels in rows, row-major, each row centred: k > 0 gives k rows (at most one per panel);
    // 0 is automatic, the row count whose data areas are largest in the target (side by side in
    // a wide view, stacked in a tall one). Natural sizes (figureSizeFor) take automatic as one row.
    int rows = 0;
};

struct PanelBoxes {
    QRectF frame;                    // everything the panel owns
    QRectF title, data, xTicks, xTitle, yTicks, yTitle, colourBar, statistics;
};

struct FigureBoxes {
    QRectF figure, title, legend, caption;
    std::vector<PanelBoxes> panels;
    std::vector<QRectF> legendEntries; // swatch and text of each entry, inside `legend`
};

// Lays `spec` out in `target` (logical pixels).
FigureBoxes layoutFigure(const FigureSpec& spec, const QRectF& target);
// The rows the panels take in `target` (the spec's, or the automatic choice).
int figureRows(const FigureSpec& spec, const QRectF& target);
// The smallest target whose data areas get at least `data` each (for natural export sizes).
QSizeF figureSizeFor(const FigureSpec& spec, const QSizeF& data);
// The smallest target (automatic rows taken as one) whose data areas are `side` pixels on their
// shorter side: below it a view that fills scrolls rather than shrink the figure further.
QSizeF usableFigureSize(const FigureSpec& spec, double side = 120);

// Height of `lines` (each word-wrapped to `width`) in the role's font.
double textBlockHeight(const QStringList& lines, double width, TextRole role);
// Width the colour bar column takes for `bar`'s labels (bar, ticks and labels).
double colourBarColumnWidth(const ColourBar& bar);

// Titles, axis titles, statistics, colour bars, legend and caption (not the data or ticks).
void paintFigureFrame(QPainter& painter, const FigureBoxes& boxes, const FigureSpec& spec);
// Round values (steps of 1, 2, 2.5 or 5 times a power of ten) in [lo, hi], at most about
// `maxTicks` of them.
std::vector<double> roundTicks(double lo, double hi, int maxTicks);
// How many labels of `labelExtent` pixels (width on x, height on y) fit along `length` pixels
// with a gap between them (at least 2).
int ticksThatFit(double length, double labelExtent);
// A tick label's measured width and height.
double tickLabelWidth(const QString& label);
double tickLabelHeight();
// A tick at x (figure coordinates) under the panel's data, labelled; the label is kept inside
// the panel's frame.
void paintXTick(QPainter& painter, const PanelBoxes& panel, double x, const QString& label);
// A tick at y left of the panel's data, labelled right-aligned in the tick column.
void paintYTick(QPainter& painter, const PanelBoxes& panel, double y, const QString& label);

} // namespace ts
