#include "ui/figures/figure_colours.h"

#include <QPainter>

#include <algorithm>

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

} // namespace ts
