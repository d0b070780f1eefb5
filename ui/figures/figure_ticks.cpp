#include "ui/figures/figure_layout.h"

#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_record.h"
#include "ui/figures/panel_boxes.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

// Ticks for the shared layout's panels (declared in figure_layout.h): round values, how many fit,
// and each tick's mark and label placed in the panel's tick boxes.
namespace ts {
namespace {
constexpr double kTickLength = 4;
} // namespace
using layout::lineHeight;
using layout::textWidth;

std::vector<double> roundTicks(double lo, double hi, int maxTicks)
{
    std::vector<double> ticks;
    if (!(hi > lo) || maxTicks < 1)
        return ticks;
    const double raw = (hi - lo) / std::max(1, maxTicks - 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10 * magnitude;
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step)
        ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

int ticksThatFit(double length, double labelExtent)
{
    return std::max(2, static_cast<int>(std::floor(length / std::max(1.0, labelExtent + 12))));
}

double tickLabelWidth(const QString& label) { return textWidth(label, TextRole::TickLabel); }
double tickLabelHeight() { return lineHeight(TextRole::TickLabel); }

void paintXTick(QPainter& p, const PanelBoxes& b, double x, const QString& label)
{
    p.save();
    p.setPen(QPen(figureInk(p), 1));
    p.drawLine(QPointF(x, b.data.bottom()), QPointF(x, b.data.bottom() + kTickLength));
    const double w = textWidth(label, TextRole::TickLabel);
    const double left = std::clamp(x - w / 2, b.frame.left(), std::max(b.frame.left(), b.frame.right() - w));
    drawFigureText(p, QRectF(left, b.xTicks.top(), w, b.xTicks.height()), Qt::AlignCenter, label, TextRole::TickLabel);
    p.restore();
}

void paintYTick(QPainter& p, const PanelBoxes& b, double y, const QString& label)
{
    p.save();
    p.setPen(QPen(figureInk(p), 1));
    p.drawLine(QPointF(b.data.left() - kTickLength, y), QPointF(b.data.left(), y));
    const double h = lineHeight(TextRole::TickLabel);
    drawFigureText(p, QRectF(b.yTicks.left(), y - h / 2, b.yTicks.width() - kTickLength - 3, h), Qt::AlignRight | Qt::AlignVCenter,
                   label, TextRole::TickLabel);
    p.restore();
}

} // namespace ts
