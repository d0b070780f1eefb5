#pragma once
// The Compare figure: token-reduction methods at one FLOP budget on one image, side by side: each
// method's merged-token map after the same block (or, with a patch selected, the lineage of the
// token holding it) with its achieved GFLOPs and agreement with the unreduced model, and every
// method's tokens per block on one chart, the shown block marked. Data in, painter out, as the
// other figures: the Compare lab's view, its exports and `tokenscope compare --out` draw it.
//
// Layout: one row of maps, narrower as methods are added (240, 210, 160 px for 2, 3, 4), so the
// figure keeps about the same width and its 12 px text stays above 11 px in the lab's view at
// the default window. No timings in the figure (a recipe must redraw it exactly); they are in
// the data (compareResultJson) and the lab's table.
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
QSizeF compareNaturalSize(int panels);
void paintCompare(QPainter& painter, const QRectF& target, const CompareData& data);
// The patch under `pos` in any of the maps of a figure painted into `target`, or -1.
int comparePatchAt(const QRectF& target, const CompareData& data, const QPointF& pos);

// The figure with its recipe: `settings` are those the result was run with and the view state;
// their command (core/settings/recipe_command.h) draws this figure.
Figure compareFigure(const CompareResult& result, const CompareSettings& settings);

// The JSON `compare --json` writes: target, unreduced GFLOPs and time, and per method its
// achieved and measured GFLOPs, schedule, tokens, time and agreement.
QByteArray compareResultJson(const CompareResult& result, const CompareSettings& settings);

} // namespace ts
