#include "ui/figures/mask_figure.h"

#include "core/util/error.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_recipe.h"

#include <QLocale>
#include <QObject>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <set>

namespace ts {
namespace {

constexpr double kMargin = 16, kTitle = 22, kAxis = 16, kCost = 52, kCaption = 22, kLegend = 24, kGap = 28, kMinWidth = 680;

QString grouped(std::int64_t n)
{
    return QLocale(QLocale::English).toString(static_cast<qlonglong>(n));
}

} // namespace

QColor keyKindColour(KeyKind kind)
{
    switch (kind) {
    case KeyKind::Token: return QColor(59, 91, 140);
    case KeyKind::CurrentBlock: return QColor(31, 119, 180);
    case KeyKind::Memory: return QColor(255, 127, 14);
    case KeyKind::Fam: return QColor(214, 39, 40);
    case KeyKind::Group: return QColor(44, 160, 44);
    case KeyKind::Latent: return QColor(148, 103, 189);
    case KeyKind::Data: return QColor(140, 86, 75);
    case KeyKind::SameToken: return QColor(227, 119, 194);
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

MaskPanelData maskPanelData(const AttentionMask& mask, const MaskRegion& region, int pixels, int width)
{
    MaskPanelData d;
    d.title = QString::fromStdString(mask.label());
    // Never more pixels than positions: a region of 10 tokens is drawn 10 x 10 and scaled up.
    const int rows = static_cast<int>(std::min<std::int64_t>(pixels, region.height()));
    const int cols = static_cast<int>(std::min<std::int64_t>(pixels, region.width()));
    const MaskRaster raster = rasterizeMask(mask, region, rows, cols);
    d.image = maskRasterImage(raster);
    d.region = region;
    d.queries = mask.queries();
    d.keys = mask.keys();
    std::set<int> kinds(raster.kind.begin(), raster.kind.end());
    for (int k : kinds)
        if (k != MaskRaster::kNoKind)
            d.kinds.push_back(static_cast<KeyKind>(k));
    const MaskCost cost = maskCost(mask, width);
    d.costText = QObject::tr("allowed pairs %1 (%2 % of dense)\nQK^T %3 FLOPs, AV %4\nat width %5")
                     .arg(grouped(cost.allowedPairs))
                     .arg(100.0 * double(cost.allowedPairs) / std::max(1.0, double(cost.densePairs)), 0, 'g', 3)
                     .arg(QString::fromStdString(formatFlops(cost.qkFlops)))
                     .arg(QString::fromStdString(formatFlops(cost.avFlops)))
                     .arg(width);
    if (cost.computedPairs != cost.allowedPairs)
        d.costText += QObject::tr("; computes %1 token pairs (%2 %)")
                          .arg(grouped(cost.computedPairs))
                          .arg(100.0 * cost.shareOfDense, 0, 'g', 3);
    return d;
}

QSizeF maskFigureNaturalSize(const MaskFigureData& data)
{
    const double n = std::max<std::size_t>(1, data.panels.size());
    const double side = data.panelSide;
    // Wide enough for the caption, the cost lines and the legend even for a small raster.
    return {std::max(kMinWidth, kMargin * 2 + kAxis + n * side + (n - 1) * kGap),
            kMargin + kCaption + kTitle + kAxis + side + kCost + kLegend + kMargin};
}

MaskFigureLayout maskFigureLayout(const QRectF& target, const MaskFigureData& data)
{
    const QSizeF natural = maskFigureNaturalSize(data);
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    const QPointF origin = target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2);
    auto rect = [&](double x, double y, double w, double h) { return QRectF(origin + QPointF(x * s, y * s), QSizeF(w * s, h * s)); };
    MaskFigureLayout l;
    l.caption = rect(kMargin, kMargin / 2, natural.width() - 2 * kMargin, kCaption);
    const double top = kMargin / 2 + kCaption + kTitle + kAxis;
    for (std::size_t i = 0; i < data.panels.size(); ++i)
        l.panels.push_back(rect(kMargin + kAxis + i * (data.panelSide + kGap), top, data.panelSide, data.panelSide));
    l.legend = rect(kMargin, top + data.panelSide + kCost, natural.width() - 2 * kMargin, kLegend);
    return l;
}

void paintMaskFigure(QPainter& p, const QRectF& target, const MaskFigureData& data)
{
    const MaskFigureLayout l = maskFigureLayout(target, data);
    const double scale = l.panels.empty() ? 1.0 : l.panels.front().width() / data.panelSide;
    QFont font = p.font();
    font.setPixelSize(std::max(7, static_cast<int>(std::lround(12 * scale))));
    p.setFont(font);
    p.setPen(figureInk(p));
    p.drawText(l.caption, Qt::AlignLeft | Qt::AlignVCenter, data.caption);
    std::set<int> kinds;
    for (std::size_t i = 0; i < data.panels.size(); ++i) {
        const MaskPanelData& d = data.panels[i];
        const QRectF box = l.panels[i];
        const double unit = box.width() / data.panelSide;
        p.setPen(figureInk(p));
        p.drawText(QRectF(box.left(), box.top() - (kTitle + kAxis) * unit, box.width(), kTitle * unit),
                   Qt::AlignLeft | Qt::AlignVCenter, d.title);
        // Axis ends: keys across the top, queries down the left, as [begin, end).
        const QRectF keyAxis(box.left(), box.top() - kAxis * unit, box.width(), kAxis * unit);
        p.drawText(keyAxis, Qt::AlignLeft | Qt::AlignVCenter, QObject::tr("key %1").arg(d.region.k0));
        p.drawText(keyAxis, Qt::AlignRight | Qt::AlignVCenter, QString::number(d.region.k1 - 1));
        p.save();
        p.translate(box.left() - 3 * unit, box.top());
        p.rotate(-90);
        const QRectF queryAxis(-box.height(), -kAxis * unit, box.height(), kAxis * unit);
        p.drawText(queryAxis, Qt::AlignRight | Qt::AlignVCenter, QObject::tr("query %1").arg(d.region.q0));
        p.drawText(queryAxis, Qt::AlignLeft | Qt::AlignVCenter, QString::number(d.region.q1 - 1));
        p.restore();
        p.save();
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(box, d.image);
        p.restore();
        p.setPen(QPen(QColor(120, 120, 120), 0));
        p.setBrush(Qt::NoBrush);
        p.drawRect(box);
        p.setPen(figureInk(p));
        p.drawText(QRectF(box.left(), box.bottom() + 2 * unit, box.width(), (kCost - 2) * unit),
                   Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, d.costText);
        for (KeyKind k : d.kinds)
            kinds.insert(static_cast<int>(k));
    }
    // Legend of the kinds drawn.
    double x = l.legend.left();
    const double h = l.legend.height() * 0.55;
    for (int k : kinds) {
        const QString name = QString::fromUtf8(keyKindName(static_cast<KeyKind>(k)));
        p.fillRect(QRectF(x, l.legend.center().y() - h / 2, h, h), keyKindColour(static_cast<KeyKind>(k)));
        x += h + 4;
        const double w = p.fontMetrics().horizontalAdvance(name) + 14;
        p.drawText(QRectF(x, l.legend.top(), w, l.legend.height()), Qt::AlignLeft | Qt::AlignVCenter, name);
        x += w;
    }
    p.drawText(QRectF(x, l.legend.top(), std::max(0.0, l.legend.right() - x), l.legend.height()),
               Qt::AlignLeft | Qt::AlignVCenter, QObject::tr("shade: share of allowed pairs per pixel"));
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

namespace ts {

MaskRegion shownMaskRegion(const AttentionMask& first, const AttentionMask& mask, const MaskSettings& settings)
{
    MaskRegion r = fullRegion(first);
    if (settings.zoomed())
        r = MaskRegion{*settings.region[0], *settings.region[1], *settings.region[2], *settings.region[3]};
    // The same positions at the same scale in every panel, clipped to each mask.
    r.q1 = std::min(r.q1, mask.queries());
    r.k1 = std::min(r.k1, mask.keys());
    r.q0 = std::max<std::int64_t>(0, std::min(r.q0, r.q1 - 1));
    r.k0 = std::max<std::int64_t>(0, std::min(r.k0, r.k1 - 1));
    return r;
}

MaskFigureData maskFigureData(const std::vector<const AttentionMask*>& masks, const MaskSettings& settings)
{
    if (masks.empty())
        throw Error("mask figure: no masks");
    MaskFigureData data;
    data.panelSide = settings.panelSide;
    for (const AttentionMask* mask : masks)
        data.panels.push_back(maskPanelData(*mask, shownMaskRegion(*masks.front(), *mask, settings), settings.pixels, settings.width));
    const AttentionMask& first = *masks.front();
    const MaskRegion& r = data.panels.front().region;
    data.caption = QObject::tr("%1: %2 tokens · queries %3..%4, keys %5..%6")
                       .arg(QString::fromStdString(first.label()))
                       .arg(first.dataLength())
                       .arg(r.q0)
                       .arg(r.q1 - 1)
                       .arg(r.k0)
                       .arg(r.k1 - 1);
    return data;
}

Figure maskFigure(const MaskFigureData& data, const MaskSettings& settings)
{
    Figure f = maskFigure(data, QString(), QString());
    setFigureRecipe(f, "masks", toJson(settings), recipeArguments(settings));
    return f;
}

} // namespace ts
