#include "ui/figures/figure_colours.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ts {

bool figureOnDark(const QPainter& painter) { return painter.background().color().lightness() < 128; }

QColor figureInk(const QPainter& painter) { return figureOnDark(painter) ? QColor(236, 236, 236) : QColor(Qt::black); }

QColor figureSubtleInk(const QPainter& painter)
{
    return figureOnDark(painter) ? QColor(190, 190, 190) : QColor(60, 60, 60);
}

QColor figurePanelFill(const QPainter& painter, int light)
{
    if (!figureOnDark(painter))
        return QColor(light, light, light);
    const int base = painter.background().color().lightness();
    const int dark = std::min(255, base + (255 - light) + 8);
    return QColor(dark, dark, dark);
}

QColor methodColour(int index)
{
    static const QColor colours[] = {QColor(31, 119, 180), QColor(214, 39, 40), QColor(44, 160, 44), QColor(148, 103, 189)};
    return colours[((index % 4) + 4) % 4];
}

QColor viridisColour(double t)
{
    // viridis at t = 0, 1/9, ..., 1, interpolated linearly between the stops.
    static const int stops[10][3] = {{68, 1, 84},    {72, 40, 120},  {62, 73, 137},  {49, 104, 142}, {38, 130, 142},
                                     {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {181, 222, 43}, {253, 231, 37}};
    const double x = (std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0) * 9.0;
    const int i = std::min(8, static_cast<int>(x));
    const double f = x - i;
    int c[3];
    for (int k = 0; k < 3; ++k)
        c[k] = static_cast<int>(std::lround(stops[i][k] + f * (stops[i + 1][k] - stops[i][k])));
    return QColor(c[0], c[1], c[2]);
}

} // namespace ts
