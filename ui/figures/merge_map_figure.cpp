#include "ui/figures/merge_map_figure.h"

#include "core/render/merge_map.h"
#include "core/util/error.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_record.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/rgb_image.h"

#include <QFileInfo>
#include <QFontMetricsF>
#include <QPainter>

#include <cmath>
#include <numeric>

namespace ts {
namespace {

constexpr double kPanelPixels = 300; // a panel's data area in an export at scale 1

std::size_t at(int i) { return static_cast<std::size_t>(i); }

// The edges between the group holding `patch` and everything else, in patch units.
std::vector<QLineF> outlineOf(const std::vector<int>& tokenOfPatch, int grid, int patch)
{
    const int token = tokenOfPatch[at(patch)];
    auto inside = [&](int x, int y) { return x >= 0 && y >= 0 && x < grid && y < grid && tokenOfPatch[at(y * grid + x)] == token; };
    std::vector<QLineF> edges;
    for (int y = 0; y < grid; ++y)
        for (int x = 0; x < grid; ++x) {
            if (!inside(x, y))
                continue;
            if (!inside(x - 1, y))
                edges.emplace_back(x, y, x, y + 1);
            if (!inside(x + 1, y))
                edges.emplace_back(x + 1, y, x + 1, y + 1);
            if (!inside(x, y - 1))
                edges.emplace_back(x, y, x + 1, y);
            if (!inside(x, y + 1))
                edges.emplace_back(x, y + 1, x + 1, y + 1);
        }
    return edges;
}

QString weightsText(const ToMeResult& result)
{
    const QString w = QString::fromStdString(result.weights);
    return w.startsWith("random(") ? QObject::tr("random weights (seed %1)").arg(w.mid(7).chopped(1))
                                   : QObject::tr("checkpoint %1").arg(QFileInfo(w).fileName());
}

// The numbers at the block shown: tokens, and the FLOPs of blocks 1..layer as counted.
void fillBlockNumbers(MergeMapData& d, const ToMeResult& result)
{
    const int k = d.layer;
    d.tokensAtLayer = result.tokens[at(k)];
    auto sum = [k](const std::vector<double>& v) { return std::accumulate(v.begin(), v.begin() + std::min<std::ptrdiff_t>(k, v.size()), 0.0) / 1e9; };
    d.gflopAtLayer = sum(result.flopsPerBlockMerged);
    d.gflopPlainAtLayer = result.flopsPerBlockPlain.empty() ? -1 : sum(result.flopsPerBlockPlain);
    QString numbers;
    if (k == 0) {
        numbers = QObject::tr("Input: %1 tokens (%2 patches and %3 prefix), before any block.")
                      .arg(d.tokensAtLayer)
                      .arg(result.grid * result.grid)
                      .arg(result.config.prefixTokens());
    } else {
        numbers = QObject::tr("After block %1 of %2: %3 tokens (%4 at the input); blocks 1–%1: %5 GFLOP")
                      .arg(k)
                      .arg(d.maxLayer)
                      .arg(d.tokensAtLayer)
                      .arg(result.tokens.front())
                      .arg(d.gflopAtLayer, 0, 'f', 2);
        if (d.gflopPlainAtLayer > 0)
            numbers += QObject::tr(" with merging, %1 GFLOP without (%2% fewer)")
                           .arg(d.gflopPlainAtLayer, 0, 'f', 2)
                           .arg(100 * (1 - d.gflopAtLayer / d.gflopPlainAtLayer), 0, 'f', 0);
        numbers += ".";
    }
    d.caption << numbers;
    if (!result.top5.empty())
        d.notes << QObject::tr("Top-1 after all %1 blocks: %2 (%3%).")
                         .arg(d.maxLayer)
                         .arg(QString::fromStdString(result.top5.front().name))
                         .arg(result.top5.front().probability * 100, 0, 'f', 1);
}

// The lineage panel and the outline; returns the caption's sentence about it.
QString fillLineage(MergeMapData& d, const ToMeResult& result, const MergeMapOptions& options)
{
    const int k = d.layer, patch = options.selectedPatch;
    const std::vector<int> joins = joinLayers(result, k, patch);
    d.lineage = qImageFromRgb(renderLineage(result.crop, result.grid, joins, lineageJoinColours(k), options.panelSize));
    const int holder = result.tokenOfPatch[at(k)][at(patch)];
    const int size = result.sizes[at(k)][at(holder)];
    d.lineageTitle = QObject::tr("Lineage");
    d.selectedOutline = outlineOf(result.tokenOfPatch[at(k)], result.grid, patch);
    return QObject::tr("Lineage: token %1 (outlined) holds %2, coloured by the block after which each joined (0: patch %3).")
        .arg(holder)
        .arg(size == 1 ? QObject::tr("1 patch") : QObject::tr("%1 patches").arg(size))
        .arg(patch);
}

} // namespace

std::vector<cv::Vec3b> lineageJoinColours(int layer)
{
    std::vector<cv::Vec3b> out;
    for (int j = 0; j <= layer; ++j) {
        const QColor c = viridisColour(layer > 0 ? double(j) / layer : 0.0);
        out.emplace_back(c.red(), c.green(), c.blue());
    }
    return out;
}

MergeMapData mergeMapData(const ToMeResult& result, const MergeMapOptions& options)
{
    const int last = static_cast<int>(result.tokenOfPatch.size()) - 1;
    if (last < 0)
        throw Error("merge map: the result holds no layers");
    const int layer = options.layer < 0 ? last : options.layer;
    if (layer > last)
        throw Error("merge map: layer " + std::to_string(layer) + " is past the last block (" + std::to_string(last) + ")");
    MergeMapData d;
    d.grid = result.grid;
    d.layer = layer;
    d.maxLayer = last;
    d.methodTitle = QString::fromUtf8(reductionMethodTitle(result.method));
    MergeMapStyle style;
    style.outputSize = options.panelSize;
    style.opacity = options.opacity;
    style.borders = options.borders;
    style.randomColours = options.randomColours;
    d.map = qImageFromRgb(renderMergeMap(result.crop, result.grid, result.tokenOfPatch[at(layer)], style));
    d.input = qImageFromRgb(result.crop).scaled(options.panelSize, options.panelSize, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    d.inputTitle = QObject::tr("Input");
    d.mapTitle = QObject::tr("Merged tokens");
    d.title = QObject::tr("%1: merged tokens after block %2 of %3").arg(d.methodTitle).arg(layer).arg(last);
    // Notes go in the caption, which spans the figure: under narrow panels they would wrap to
    // many lines and leave the images no room.
    d.caption << QObject::tr("%1 on %2, %3; %4; proportional attention %5.")
                     .arg(d.methodTitle, QString::fromStdString(vitDisplayName(result.config)), weightsText(result),
                          QString::fromStdString(result.scheduleText), result.proportionalAttention ? "on" : "off");
    QString panels = QObject::tr("Input: %1 px centre crop, %2 × %2 patches. Merged tokens: %3 colour per group%4.")
                         .arg(result.config.imageSize)
                         .arg(result.grid)
                         .arg(options.randomColours ? QObject::tr("a random") : QObject::tr("the mean"))
                         .arg(options.borders ? QObject::tr(", borders between groups") : QString());
    if (options.selectedPatch >= 0 && options.selectedPatch < result.grid * result.grid)
        panels += " " + fillLineage(d, result, options);
    d.notes << panels;
    // No timings here: a figure must be reproducible from its recipe (timings are in the data).
    fillBlockNumbers(d, result);
    d.plot.tokens = result.tokens;
    d.plot.current = layer;
    return d;
}

namespace {

// The image panels (input, map, lineage) under the figure's title.
FigureSpec imageSpec(const MergeMapData& d)
{
    FigureSpec spec;
    spec.title = d.title;
    spec.rows = 1; // arrangedLayout chooses between one row and the plot under the images
    for (const QString& title : {d.inputTitle, d.mapTitle, d.lineageTitle}) {
        if (title.isEmpty())
            continue; // no lineage
        spec.panels.emplace_back();
        spec.panels.back().title = title;
        spec.panels.back().aspect = 1;
    }
    // Space for the lineage's discrete bar (painted by paintLineageBar): labels as wide as "12".
    if (d.hasLineage())
        spec.panels[2].colourBar = colourBarFor(0, std::max(1, d.layer), -1, QString());
    return spec;
}

// Where the layout put the panels of `spec` laid out in `target`.
void placePanels(MergeMapLayout& l, const MergeMapData& d, const FigureBoxes& boxes, bool withPlot)
{
    const auto& panels = boxes.panels;
    l.input = panels.at(0).data;
    l.map = panels.at(1).data;
    if (d.hasLineage()) {
        l.lineage = panels.at(2).data;
        l.lineageBar = panels.at(2).colourBar;
    }
    if (withPlot)
        l.plotPanel = panels.back();
}

} // namespace

FigureSpec mergeMapSpec(const MergeMapData& d)
{
    FigureSpec spec = imageSpec(d);
    spec.panels.push_back(tokenCountPanel(d.plot));
    spec.legend = tokenCountLegend(d.methodTitle);
    spec.caption = d.caption + d.notes;
    return spec;
}

namespace {

// The lowest point anything of the layout reaches.
double bottomOf(const MergeMapLayout& l)
{
    double bottom = 0;
    for (const auto& [spec, boxes] : l.parts)
        bottom = std::max({bottom, boxes.caption.bottom(), boxes.legend.bottom()});
    return bottom;
}

MergeMapLayout arrangedLayout(const MergeMapData& d, const QRectF& target, bool notes)
{
    // One row: the images and the plot side by side, the legend and caption under them.
    MergeMapLayout one;
    one.parts.push_back({mergeMapSpec(d), {}});
    if (!notes)
        one.parts[0].first.caption = d.caption;
    one.parts[0].second = layoutFigure(one.parts[0].first, target);
    placePanels(one, d, one.parts[0].second, true);
    // Two rows, for a view taller than one row fills: the images, then the plot (as wide as
    // the figure), the legend and the caption.
    MergeMapLayout two;
    FigureSpec plot;
    PanelSpec plotPanel = tokenCountPanel(d.plot);
    plotPanel.aspect = 0;
    plot.panels = {plotPanel};
    plot.legend = tokenCountLegend(d.methodTitle);
    plot.caption = notes ? d.caption + d.notes : d.caption;
    // The plot gets a fifth of the height (at least 110 px of data) below its text; the images
    // the rest.
    const double textHeight = 10000 - layoutFigure(plot, QRectF(0, 0, target.width(), 10000)).panels.at(0).data.height();
    const double split = target.bottom() - textHeight - std::max(110.0, 0.2 * target.height());
    two.parts.push_back({imageSpec(d), layoutFigure(imageSpec(d), QRectF(target.left(), target.top(), target.width(), split - target.top()))});
    two.parts.push_back({plot, layoutFigure(plot, QRectF(target.left(), split, target.width(), target.bottom() - split))});
    placePanels(two, d, two.parts[0].second, false);
    two.plotPanel = two.parts[1].second.panels.at(0);
    const bool twoFits = bottomOf(two) <= target.bottom() + 0.5;
    return twoFits && two.input.width() > 1.15 * one.input.width() ? two : one;
}

} // namespace

MergeMapLayout mergeMapLayout(const MergeMapData& d, const QRectF& target)
{
    // The notes (what each panel shows, the prediction) only where they leave the images room.
    constexpr double kSmallest = 120;
    MergeMapLayout full = arrangedLayout(d, target, true);
    if (full.input.height() >= kSmallest && bottomOf(full) <= target.bottom() + 0.5)
        return full;
    return arrangedLayout(d, target, false);
}

QSizeF mergeMapNaturalSize(const MergeMapData& d) { return figureSizeFor(mergeMapSpec(d), QSizeF(kPanelPixels, kPanelPixels)); }

namespace {

// Dark under light: visible on any colour.
void paintOutline(QPainter& p, const QRectF& panel, const MergeMapData& d)
{
    if (d.selectedOutline.empty() || d.grid <= 0)
        return;
    const double cell = panel.width() / d.grid;
    std::vector<QLineF> lines;
    for (const QLineF& e : d.selectedOutline)
        lines.emplace_back(panel.topLeft() + e.p1() * cell, panel.topLeft() + e.p2() * cell);
    p.setPen(QPen(QColor(0, 0, 0), 5, Qt::SolidLine, Qt::SquareCap));
    p.drawLines(lines.data(), static_cast<int>(lines.size()));
    p.setPen(QPen(QColor(255, 255, 255), 2, Qt::SolidLine, Qt::SquareCap));
    p.drawLines(lines.data(), static_cast<int>(lines.size()));
}

// The blocks labelled on the lineage bar: every `every`-th from 0, and the last where it fits.
std::vector<int> lineageTicks(int layer, int every)
{
    std::vector<int> ticks;
    for (int j = 0; j <= layer; j += every)
        ticks.push_back(j);
    if (ticks.back() != layer) {
        if (layer - ticks.back() >= every)
            ticks.push_back(layer);
        else if (ticks.size() > 1)
            ticks.back() = layer; // too close: the last block's label replaces it
    }
    return ticks;
}

// The lineage's discrete colour bar: one swatch per join block 0..layer (0 at the bottom), each
// tick labelled with its block (every block where the labels fit, else every n-th and the last).
void paintLineageBar(QPainter& p, const QRectF& bar, int layer)
{
    const int n = layer + 1;
    const double swatch = bar.height() / n;
    const double label = QFontMetricsF(figureFont(TextRole::TickLabel)).height();
    const std::vector<cv::Vec3b> colours = lineageJoinColours(layer);
    for (int j = 0; j < n; ++j) {
        const cv::Vec3b& c = colours[at(j)];
        p.fillRect(QRectF(bar.left(), bar.bottom() - (j + 1) * swatch, bar.width(), swatch + 0.5), QColor(c[0], c[1], c[2]));
    }
    p.setPen(QPen(Qt::gray, 1));
    p.drawRect(bar);
    for (int j : lineageTicks(layer, std::max(1, static_cast<int>(std::ceil(label / swatch))))) {
        const double y = bar.bottom() - (j + 0.5) * swatch;
        p.setPen(QPen(figureInk(p), 1));
        p.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y));
        const QString text = QString::number(j);
        drawFigureText(p, QRectF(bar.right() + 6, y - label / 2, tickLabelWidth(text), label), Qt::AlignLeft | Qt::AlignVCenter, text,
                       TextRole::TickLabel);
    }
}

} // namespace

void paintMergeMap(QPainter& painter, const QRectF& target, const MergeMapData& d)
{
    const MergeMapLayout l = mergeMapLayout(d, target);
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    painter.drawImage(l.input, d.input);
    painter.drawImage(l.map, d.map);
    if (d.hasLineage())
        painter.drawImage(l.lineage, d.lineage);
    painter.setPen(QPen(Qt::gray, 1));
    for (const QRectF& r : {l.input, l.map, l.lineage})
        if (!r.isEmpty())
            painter.drawRect(r);
    painter.setRenderHint(QPainter::Antialiasing, true);
    paintOutline(painter, l.input, d);
    paintOutline(painter, l.map, d);
    if (d.hasLineage())
        paintLineageBar(painter, l.lineageBar, d.layer);
    paintTokenCountPlot(painter, l.plotPanel, d.plot);
    for (auto [spec, boxes] : l.parts) {
        if (d.hasLineage() && spec.panels.size() > 2)
            spec.panels[2].colourBar.reset(); // its space is kept; the discrete bar is drawn above
        paintFigureFrame(painter, boxes, spec);
    }
    painter.restore();
}

MergeMapOptions mergeMapOptions(const ToMeSettings& settings)
{
    MergeMapOptions options;
    options.layer = settings.layer;
    options.opacity = settings.opacity;
    options.borders = settings.borders;
    options.randomColours = settings.colours == ToMeSettings::Colours::Random;
    options.selectedPatch = settings.selectedPatch;
    return options;
}

Figure mergeMapFigure(const ToMeResult& result, const ToMeSettings& settings)
{
    auto data = std::make_shared<MergeMapData>(mergeMapData(result, mergeMapOptions(settings)));
    Figure f;
    f.size = mergeMapNaturalSize(*data);
    f.paint = [data](QPainter& p, const QRectF& r) { paintMergeMap(p, r, *data); };
    f.title = QObject::tr("%1 merged-token map").arg(data->methodTitle);
    f.description = data->caption.join(" ");
    ToMeSettings shown = settings;
    if (shown.layer < 0)
        shown.layer = result.depth();
    if (shown.selectedPatch >= result.grid * result.grid)
        shown.selectedPatch = -1; // not drawn (mergeMapData ignores it)
    setFigureRecipe(f, "tome", toJson(shown), recipeArguments(shown));
    return f;
}

} // namespace ts
