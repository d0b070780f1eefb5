#include "ui/figures/colour_bar.h"

#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_record.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ts {

ColourBar colourBarFor(double lo, double hi, double reference, const QString& referenceLabel)
{
    ColourBar bar;
    bar.lo = std::isfinite(lo) ? lo : 0.0;
    bar.hi = std::isfinite(hi) ? hi : 1.0;
    if (!(bar.hi > bar.lo)) { // a flat map: widen around its value
        const double pad = std::max(std::abs(bar.lo) * 0.05, 1e-9);
        bar.hi = bar.lo + pad;
        bar.lo = std::max(0.0, bar.lo - pad);
    }
    bar.reference = reference;
    bar.referenceLabel = referenceLabel;
    return bar;
}

QColor colourBarColour(const ColourBar& bar, double v) { return viridisColour((v - bar.lo) / (bar.hi - bar.lo)); }

std::vector<double> colourBarTicks(double lo, double hi, int maxTicks)
{
    std::vector<double> ticks;
    const double span = hi - lo;
    if (!(span > 0) || maxTicks < 1)
        return ticks;
    const double raw = span / (maxTicks + 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    for (double t = std::ceil(lo / step) * step; t < hi && ticks.size() < static_cast<std::size_t>(maxTicks); t += step)
        if (t - lo > step / 5 && hi - t > step / 5)
            ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
    return ticks;
}

QString colourBarNumber(double v) { return QString::number(v, 'g', 3); }

double colourBarLabelWidth(double fontPixels) { return 7.5 * fontPixels; }

namespace {

double barY(const QRectF& bar, const ColourBar& c, double v)
{
    return bar.bottom() - (std::clamp(v, c.lo, c.hi) - c.lo) / (c.hi - c.lo) * bar.height();
}

void drawLabel(QPainter& p, const QRectF& bar, double y, const QString& text, double fontPixels)
{
    const QRectF box(bar.right() + 7, y - fontPixels, colourBarLabelWidth(fontPixels), 2 * fontPixels);
    drawRecordedText(p, box, Qt::AlignLeft | Qt::AlignVCenter, text, TextRole::TickLabel);
}

} // namespace

void paintColourBar(QPainter& p, const QRectF& bar, const ColourBar& c, double fontPixels)
{
    p.save();
    QLinearGradient ramp(bar.bottomLeft(), bar.topLeft());
    for (int i = 0; i <= 18; ++i)
        ramp.setColorAt(i / 18.0, viridisColour(i / 18.0));
    p.fillRect(bar, ramp);
    const QColor ink = figureInk(p);
    p.setPen(QPen(ink, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(bar);
    const bool referenceInside = c.reference >= c.lo && c.reference <= c.hi;
    const double refY = barY(bar, c, c.reference), gap = 1.3 * fontPixels;
    // The reference's label keeps clear of the end labels (a leader joins it to its line).
    const double refLabelY = std::clamp(refY, bar.top() + gap, bar.bottom() - gap);
    auto clear = [&](double y) { return !referenceInside || c.reference < 0 || std::abs(y - refLabelY) > gap; };
    drawLabel(p, bar, bar.bottom(), colourBarNumber(c.lo), fontPixels);
    drawLabel(p, bar, bar.top(), colourBarNumber(c.hi), fontPixels);
    for (double v : {c.lo, c.hi})
        p.drawLine(QPointF(bar.right(), barY(bar, c, v)), QPointF(bar.right() + 5, barY(bar, c, v)));
    for (double t : colourBarTicks(c.lo, c.hi)) {
        const double y = barY(bar, c, t);
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 5, y));
        if (clear(y) && y - bar.top() > gap && bar.bottom() - y > gap)
            drawLabel(p, bar, y, colourBarNumber(t), fontPixels);
    }
    if (c.reference < 0) {
        p.restore();
        return;
    }
    if (referenceInside) {
        // White under black, so the mark shows on every colour of the ramp.
        p.setPen(QPen(Qt::white, 3));
        p.drawLine(QPointF(bar.left() - 4, refY), QPointF(bar.right() + 4, refY));
        p.setPen(QPen(Qt::black, 1.5));
        p.drawLine(QPointF(bar.left() - 4, refY), QPointF(bar.right() + 4, refY));
        p.setPen(ink);
        if (refLabelY != refY)
            p.drawLine(QPointF(bar.right() + 4, refY), QPointF(bar.right() + 7, refLabelY));
        drawLabel(p, bar, refLabelY, c.referenceLabel, fontPixels);
    } else {
        const bool below = c.reference < c.lo;
        const double y = below ? bar.bottom() + 1.9 * fontPixels : bar.top() - 1.9 * fontPixels;
        p.setPen(ink);
        const QRectF box(bar.left(), y - fontPixels, colourBarLabelWidth(fontPixels) + 2 * fontPixels, 2 * fontPixels);
        drawRecordedText(p, box, Qt::AlignLeft | Qt::AlignVCenter, (below ? QStringLiteral("▼ ") : QStringLiteral("▲ ")) + c.referenceLabel,
                         TextRole::TickLabel);
    }
    p.restore();
}

} // namespace ts
