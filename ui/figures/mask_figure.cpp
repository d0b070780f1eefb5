#include "ui/figures/mask_figure.h"

#include "core/util/error.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_layout.h"
#include "ui/figures/figure_record.h"

#include <QObject>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <set>

namespace ts {

QColor keyKindColour(KeyKind kind)
{
    // CIE LCh picks, one lightness step (8 L*) and at least 25 degrees of hue apart
    // (tst_mask_panel checks both): L* 25 .. 81.
    switch (kind) {
    case KeyKind::Token: return QColor(91, 1, 148);         // violet, L* 25
    case KeyKind::CurrentBlock: return QColor(6, 104, 142); // blue, L* 41
    case KeyKind::Memory: return QColor(255, 190, 64);      // amber, L* 81
    case KeyKind::Fam: return QColor(255, 60, 69);          // red, L* 57
    case KeyKind::Group: return QColor(5, 135, 54);         // green, L* 49
    case KeyKind::Latent: return QColor(25, 199, 203);      // cyan, L* 73
    case KeyKind::Data: return QColor(131, 55, 2);          // brown, L* 33
    case KeyKind::SameToken: return QColor(254, 100, 192);  // pink, L* 65
    }
    return Qt::black;
}

QImage maskRasterImage(const MaskRaster& raster)
{
    QImage image(raster.cols, raster.rows, QImage::Format_RGB32);
    for (int r = 0; r < raster.rows; ++r) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(r));
        for (int c = 0; c < raster.cols; ++c) {
            const float f = raster.at(r, c);
            const std::uint8_t k = raster.kindAt(r, c);
            if (f <= 0 || k == MaskRaster::kNoKind) {
                line[c] = qRgb(255, 255, 255);
                continue;
            }
            const double s = std::max(0.25, std::sqrt(static_cast<double>(f)));
            const QColor colour = keyKindColour(static_cast<KeyKind>(k));
            auto mix = [s](int v) { return static_cast<int>(std::lround(255 + (v - 255) * s)); };
            line[c] = qRgb(mix(colour.red()), mix(colour.green()), mix(colour.blue()));
        }
    }
    return image;
}

namespace {

QStringList tickLabels(const std::vector<MaskTick>& ticks)
{
    QStringList labels;
    for (const MaskTick& t : ticks)
        labels << t.label;
    return labels;
}

FigureSpec maskFigureSpec(const MaskFigureData& data)
{
    FigureSpec spec;
    std::set<int> kinds;
    for (const MaskPanelData& d : data.panels) {
        PanelSpec p;
        p.title = d.title;
        p.xTitle = d.keyTitle;
        p.yTitle = d.queryTitle;
        p.xTickLabels = tickLabels(d.keyTicks);
        p.yTickLabels = tickLabels(d.queryTicks);
        p.aspect = 1;
        p.statistics = d.costText.split('\n', Qt::SkipEmptyParts);
        spec.panels.push_back(p);
        for (KeyKind k : d.kinds)
            kinds.insert(static_cast<int>(k));
    }
    for (int k : kinds)
        spec.legend.push_back({QString::fromUtf8(keyKindName(static_cast<KeyKind>(k))), keyKindColour(static_cast<KeyKind>(k))});
    spec.caption = data.caption.split('\n', Qt::SkipEmptyParts);
    return spec;
}

// Every k-th tick, so the labels that remain fit the side (the data were made for the natural size).
std::vector<MaskTick> thinned(const std::vector<MaskTick>& ticks, double side, bool horizontal)
{
    double extent = tickLabelHeight();
    if (horizontal)
        for (const MaskTick& t : ticks)
            extent = std::max(extent, tickLabelWidth(t.label));
    const int fit = ticksThatFit(side, extent);
    const std::size_t step = std::max<std::size_t>(1, (ticks.size() + fit - 1) / std::max(1, fit));
    std::vector<MaskTick> out;
    for (std::size_t i = 0; i < ticks.size(); i += step)
        out.push_back(ticks[i]);
    return out;
}

void paintPanel(QPainter& p, const PanelBoxes& b, const MaskPanelData& d)
{
    const QRectF box = b.data;
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);
    p.drawImage(box, d.image);
    p.restore();
    // Block boundaries: thin lines of the ink at low opacity, readable over every kind's colour.
    p.save();
    QColor grid = figureInk(p);
    grid.setAlphaF(0.35);
    p.setPen(QPen(grid, 0.8));
    for (double f : d.keyLines)
        p.drawLine(QPointF(box.left() + f * box.width(), box.top()), QPointF(box.left() + f * box.width(), box.bottom()));
    for (double f : d.queryLines)
        p.drawLine(QPointF(box.left(), box.top() + f * box.height()), QPointF(box.right(), box.top() + f * box.height()));
    p.setPen(QPen(QColor(120, 120, 120), 0));
    p.setBrush(Qt::NoBrush);
    p.drawRect(box);
    p.restore();
    for (const MaskTick& t : thinned(d.keyTicks, box.width(), true))
        paintXTick(p, b, box.left() + t.at * box.width(), t.label);
    for (const MaskTick& t : thinned(d.queryTicks, box.height(), false))
        paintYTick(p, b, box.top() + t.at * box.height(), t.label);
}

} // namespace

QSizeF maskFigureNaturalSize(const MaskFigureData& data)
{
    return figureSizeFor(maskFigureSpec(data), QSizeF(data.panelSide, data.panelSide));
}

MaskFigureLayout maskFigureLayout(const QRectF& target, const MaskFigureData& data)
{
    const FigureBoxes b = layoutFigure(maskFigureSpec(data), target);
    MaskFigureLayout l;
    for (const PanelBoxes& panel : b.panels)
        l.panels.push_back(panel.data);
    l.caption = b.caption;
    l.legend = b.legend;
    return l;
}

void paintMaskFigure(QPainter& p, const QRectF& target, const MaskFigureData& data)
{
    const FigureSpec spec = maskFigureSpec(data);
    const FigureBoxes b = layoutFigure(spec, target);
    for (std::size_t i = 0; i < data.panels.size() && i < b.panels.size(); ++i)
        paintPanel(p, b.panels[i], data.panels[i]);
    paintFigureFrame(p, b, spec);
}

Figure maskFigure(const MaskFigureData& data, const QString& recipeJson, const QString& command)
{
    if (data.panels.empty() || data.panels.size() > 3)
        throw Error("mask figure: 1 to 3 masks side by side");
    Figure f;
    f.size = maskFigureNaturalSize(data);
    f.paint = [data](QPainter& p, const QRectF& r) { paintMaskFigure(p, r, data); };
    f.title = QObject::tr("Attention mask");
    QStringList titles;
    for (const auto& panel : data.panels)
        titles << panel.title;
    f.description = titles.join(" | ");
    f.recipeJson = recipeJson;
    f.command = command;
    return f;
}

} // namespace ts
