// Building the mask figure's data from masks and settings (ui/figures/mask_figure.h): the
// rasters, the cost lines, ticks and block lines in data tokens, and the region every panel
// shows, aligned by data token.
#include "ui/figures/mask_figure.h"

#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "core/util/error.h"
#include "ui/figures/figure_layout.h"
#include "ui/figures/figure_recipe.h"

#include <QLocale>
#include <QObject>

#include <algorithm>
#include <cmath>
#include <set>

namespace ts {
namespace {

QString grouped(std::int64_t n) { return QLocale(QLocale::English).toString(static_cast<qlonglong>(n)); }

// One axis of a panel: positions [p0, p1) of a mask's query or key axis.
struct Axis {
    const AttentionMask& mask;
    bool keyAxis;
    std::int64_t p0, p1;
    std::int64_t size() const { return keyAxis ? mask.keys() : mask.queries(); }
    bool holdsData() const { return size() >= mask.dataLength(); }
    double fractionOf(double position) const { return (position - double(p0)) / double(p1 - p0); }
};

// Round data-token indices over the axis, as many as fit `side` pixels, at their tokens' centres.
std::vector<MaskTick> ticksOf(const Axis& a, double side, bool horizontal)
{
    std::vector<MaskTick> ticks;
    const bool data = a.holdsData();
    const std::int64_t t0 = data ? a.mask.dataTokensBefore(a.p0, a.keyAxis) : a.p0;
    const std::int64_t t1 = data ? a.mask.dataTokensBefore(a.p1, a.keyAxis) : a.p1;
    if (t1 <= t0)
        return ticks;
    const double extent = horizontal ? tickLabelWidth(grouped(t1)) : tickLabelHeight();
    // As many as fit, at most 8 (a paper figure's axis reads better with few round values).
    for (double v : roundTicks(double(t0), double(t1 - 1), std::min(8, ticksThatFit(side, extent)))) {
        if (std::abs(v - std::round(v)) > 1e-9)
            continue; // a step below one token
        const auto t = static_cast<std::int64_t>(std::llround(v));
        const std::int64_t position = data ? a.mask.positionOfDataToken(t, a.keyAxis) : t;
        if (position >= a.p0 && position < a.p1)
            ticks.push_back({a.fractionOf(double(position) + 0.5), grouped(t)});
    }
    return ticks;
}

// Boundaries after every `block`-th data token inside the axis (none when they would be closer
// than 8 pixels on a side of `side` pixels: a grid that dense would hide the mask).
std::vector<double> blockLinesOf(const Axis& a, std::int64_t block, double side)
{
    std::vector<double> lines;
    if (block <= 0 || !a.holdsData())
        return lines;
    const std::int64_t t0 = a.mask.dataTokensBefore(a.p0, a.keyAxis), t1 = a.mask.dataTokensBefore(a.p1, a.keyAxis);
    if (double(t1 - t0) / double(block) > side / 8)
        return lines;
    for (std::int64_t t = (t0 / block + 1) * block; t < t1; t += block) {
        const double position = double(a.mask.positionOfDataToken(t - 1, a.keyAxis) + 1);
        if (position > a.p0 && position < a.p1)
            lines.push_back(a.fractionOf(position));
    }
    return lines;
}

QString costLines(const AttentionMask& mask, int width)
{
    const MaskCost cost = maskCost(mask, width);
    // The width is the same for every panel: the caption names it.
    QString text = QObject::tr("allowed pairs %1 (%2 % of dense)\nQK^T %3, AV %4")
                       .arg(grouped(cost.allowedPairs))
                       .arg(100.0 * double(cost.allowedPairs) / std::max(1.0, double(cost.densePairs)), 0, 'g', 3)
                       .arg(QString::fromStdString(formatFlops(cost.qkFlops)))
                       .arg(QString::fromStdString(formatFlops(cost.avFlops)));
    if (cost.computedPairs != cost.allowedPairs)
        text += QObject::tr("\ncomputes %1 token pairs (%2 %)").arg(grouped(cost.computedPairs)).arg(100.0 * cost.shareOfDense, 0, 'g', 3);
    return text;
}

} // namespace

MaskPanelData maskPanelData(const AttentionMask& mask, const MaskRegion& region, int pixels, int width, std::int64_t block)
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
    d.costText = costLines(mask, width);
    const Axis queries{mask, false, region.q0, region.q1}, keys{mask, true, region.k0, region.k1};
    d.queryTitle = queries.holdsData() ? QObject::tr("query token") : QObject::tr("query latent");
    d.keyTitle = keys.holdsData() ? QObject::tr("key token") : QObject::tr("key latent");
    d.queryTicks = ticksOf(queries, pixels, false);
    d.keyTicks = ticksOf(keys, pixels, true);
    d.queryLines = blockLinesOf(queries, block, pixels);
    d.keyLines = blockLinesOf(keys, block, pixels);
    return d;
}

namespace {

// Positions of `mask` holding the data tokens of [p0, p1) on `first`'s axis.
void alignAxis(const AttentionMask& first, const AttentionMask& mask, bool keyAxis, std::int64_t p0, std::int64_t p1,
               std::int64_t* b0, std::int64_t* b1)
{
    const std::int64_t firstSize = keyAxis ? first.keys() : first.queries();
    const std::int64_t size = keyAxis ? mask.keys() : mask.queries();
    const std::int64_t t0 = first.dataTokensBefore(p0, keyAxis), t1 = first.dataTokensBefore(p1, keyAxis);
    const std::int64_t data = mask.dataLength();
    if (t1 <= t0 || t0 >= data) { // no data token in the range: the same positions, clipped
        *b1 = std::min(p1, size);
        *b0 = std::max<std::int64_t>(0, std::min(p0, *b1 - 1));
        return;
    }
    *b0 = p0 == 0 ? 0 : mask.positionOfDataToken(t0, keyAxis);
    *b1 = (p1 >= firstSize || t1 >= data) ? size : mask.positionOfDataToken(std::min(t1, data) - 1, keyAxis) + 1;
    *b1 = std::clamp<std::int64_t>(*b1, *b0 + 1, size);
}

} // namespace

MaskRegion alignedMaskRegion(const AttentionMask& first, const MaskRegion& r, const AttentionMask& mask)
{
    if (&first == &mask)
        return r;
    MaskRegion out;
    alignAxis(first, mask, false, r.q0, r.q1, &out.q0, &out.q1);
    alignAxis(first, mask, true, r.k0, r.k1, &out.k0, &out.k1);
    return out;
}

MaskRegion shownMaskRegion(const AttentionMask& first, const AttentionMask& mask, const MaskSettings& settings)
{
    MaskRegion r = fullRegion(first);
    if (settings.zoomed())
        r = MaskRegion{*settings.region[0], *settings.region[1], *settings.region[2], *settings.region[3]};
    r.q1 = std::min(r.q1, first.queries());
    r.k1 = std::min(r.k1, first.keys());
    r.q0 = std::max<std::int64_t>(0, std::min(r.q0, r.q1 - 1));
    r.k0 = std::max<std::int64_t>(0, std::min(r.k0, r.k1 - 1));
    return alignedMaskRegion(first, r, mask);
}

namespace {

std::int64_t blockOf(const AttentionMask& mask, const MaskSettings& s)
{
    const std::string name = mask.name();
    if (name == "bswa" || name == "fam")
        return s.block;
    if (name.rfind("fit", 0) == 0)
        return s.group;
    return 0;
}

QString captionOf(const std::vector<const AttentionMask*>& masks, const std::vector<MaskPanelData>& panels, const MaskSettings& s)
{
    const AttentionMask& first = *masks.front();
    const MaskRegion& r = panels.front().region;
    const std::int64_t q0 = first.dataTokensBefore(r.q0, false), q1 = first.dataTokensBefore(r.q1, false);
    const std::int64_t k0 = first.dataTokensBefore(r.k0, true), k1 = first.dataTokensBefore(r.k1, true);
    QString caption = QObject::tr("L = %1 tokens; shown: queries %2..%3, keys %4..%5.")
                          .arg(grouped(first.dataLength()))
                          .arg(grouped(q0)).arg(grouped(std::max(q0, q1 - 1)))
                          .arg(grouped(k0)).arg(grouped(std::max(k0, k1 - 1)));
    bool extra = false;
    for (const AttentionMask* m : masks)
        extra = extra || m->queries() != m->dataLength() || m->keys() != m->dataLength();
    if (masks.size() > 1)
        caption += QObject::tr(" Panels are aligned by data token%1.")
                       .arg(extra ? QObject::tr(" (with the FAM or latent positions a layout adds between them)") : QString());
    caption += QObject::tr("\nShade: share of allowed pairs per pixel; colour: the kind of most of its keys. FLOPs at width %1.")
                   .arg(s.width);
    QStringList blocks;
    for (std::size_t i = 0; i < panels.size(); ++i)
        if (!panels[i].queryLines.empty() || !panels[i].keyLines.empty())
            blocks << QString::number(blockOf(*masks[i], s));
    blocks.removeDuplicates();
    if (!blocks.isEmpty())
        caption += QObject::tr(" Lines: blocks of %1 tokens.").arg(blocks.join(" / "));
    return caption;
}

} // namespace

MaskFigureData maskFigureData(const std::vector<const AttentionMask*>& masks, const MaskSettings& settings)
{
    if (masks.empty())
        throw Error("mask figure: no masks");
    MaskFigureData data;
    data.panelSide = settings.panelSide;
    for (const AttentionMask* mask : masks)
        data.panels.push_back(maskPanelData(*mask, shownMaskRegion(*masks.front(), *mask, settings), settings.pixels, settings.width,
                                            blockOf(*mask, settings)));
    data.caption = captionOf(masks, data.panels, settings);
    return data;
}

Figure maskFigure(const MaskFigureData& data, const MaskSettings& settings)
{
    Figure f = maskFigure(data, QString(), QString());
    setFigureRecipe(f, "masks", toJson(settings), recipeArguments(settings));
    return f;
}

} // namespace ts
