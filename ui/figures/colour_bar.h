#pragma once
// A heat map's colour bar: the viridis ramp (ui/figures/figure_colours.h) from the low end at the
// bottom to the high end at the top, both ends labelled with their values (the range the map is
// drawn in), round-valued ticks between them, and a reference value (for attention, uniform
// weight 1/n) marked across the bar and named; a reference outside the range is named at the end
// it lies beyond, so a reader always learns where it is. One painter for screen and exports.
#include <QColor>
#include <QRectF>
#include <QString>

#include <vector>

class QPainter;

namespace ts {

struct ColourBar {
    double lo = 0, hi = 1;     // the range the colours span (lo < hi)
    double reference = -1;     // < 0: none
    QString referenceLabel;    // "1/n = 1/197"
};

// A bar over [lo, hi]; a flat range (every value equal) is widened so that colours stay defined.
ColourBar colourBarFor(double lo, double hi, double reference, const QString& referenceLabel);
// `v`'s colour on the bar (clamped to the ends).
QColor colourBarColour(const ColourBar& bar, double v);
// Round values strictly inside (lo, hi), at most `maxTicks`, none closer than a fifth of a step to
// either end (whose own labels would collide).
std::vector<double> colourBarTicks(double lo, double hi, int maxTicks = 4);
// Three significant digits ("0.00512", "0.25", "1.2e-05").
QString colourBarNumber(double v);
// Width the labels right of the bar take at `fontPixels`; a reference outside the range is named
// within 2.5 font heights above or below the bar.
double colourBarLabelWidth(double fontPixels);

// The ramp fills `bar`; tick marks and labels go right of it (colourBarLabelWidth), the reference
// is a line across the bar with its label right of the bar, ticks too close to it left unlabelled.
void paintColourBar(QPainter& painter, const QRectF& bar, const ColourBar& colours, double fontPixels);

} // namespace ts
