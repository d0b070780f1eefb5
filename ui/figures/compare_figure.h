#pragma once
// The Compare figure: token-reduction methods at one FLOP budget on one image, side by side: each
// method's merged-token map after the same block (or, with a patch selected, the lineage of the
// token holding it) with its achieved GFLOPs and agreement with the unreduced model, and every
// method's tokens per block on one chart, the shown block marked. Data in, painter out, as the
// other figures: the Compare lab's view, its exports and `tokenscope compare --out` draw it.
//
// Layout (ui/figures/figure_layout.h): the layout layer gives every panel of one FigureSpec the
// same data size, and the maps (square) and the chart (wide) want different ones, so the figure
// is two FigureSpecs stacked in one target: the maps (one panel per method: title = method and
// achieved GFLOPs, the map, agreement lines as statistics) above, and the chart (axis titles,
// round ticks, a legend naming each method's line, the caption lines) below. The split is
// measured: the chart gets its text rows plus a data area of about a third of the rest (within
// bounds), the maps what is left; when the maps are limited by the width they are laid out in
// the height they use and the chart takes the remainder, so no blank band opens between them.
// Each method's line has its own colour and dash pattern (distinct in greyscale and on a dark
// palette), and each map is outlined in its line's colour. No timings in the figure (a recipe
// must redraw it exactly); they are in the data (compareResultJson) and the lab's table.
#include "core/reduction/compare_api.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/figure_export.h"

#include <QByteArray>
#include <QImage>
#include <QString>

#include <vector>

namespace ts {

struct CompareColumn {
    QImage map;              // merged-token map (or lineage) after the shown block
    QString method;          // the method's name (the chart's legend)
    QString title;           // method and achieved GFLOPs
    QString lines[2];        // agreement: cosine; KL and top-1 (with a head)
    std::vector<int> tokens; // tokens after each block (0 = input)
};

struct CompareData {
    std::vector<CompareColumn> panels;
    QString caption[2];      // model and weights; budget and the block shown
    int layer = 0;           // the block shown (0 = input)
    int depth = 0;
    int grid = 0;            // patches per side
    bool lineage = false;
};

// The view of `result` after block `layer` (-1: the last); `selectedPatch` >= 0 shows lineages.
CompareData compareData(const CompareResult& result, int layer = -1, int selectedPatch = -1);
// The size at which the maps are 260, 210 or 170 px (for up to 2, 3, 4 methods) and the chart
// is in proportion: the exports' size.
QSizeF compareNaturalSize(const CompareData& data);
// Lays the figure out in `target` (logical pixels) and paints it; any target size works.
void paintCompare(QPainter& painter, const QRectF& target, const CompareData& data);
// Where paintCompare draws each method's map in `target`.
std::vector<QRectF> compareMapRects(const QRectF& target, const CompareData& data);
// The patch under `pos` in any of the maps of a figure painted into `target`, or -1.
int comparePatchAt(const QRectF& target, const CompareData& data, const QPointF& pos);

// The figure with its recipe: `settings` are those the result was run with and the view state;
// their command (core/settings/recipe_command.h) draws this figure.
Figure compareFigure(const CompareResult& result, const CompareSettings& settings);

// The JSON `compare --json` writes: target, unreduced GFLOPs and time, and per method its
// achieved and measured GFLOPs, schedule, tokens, time and agreement.
QByteArray compareResultJson(const CompareResult& result, const CompareSettings& settings);

} // namespace ts
