#pragma once
// The ToMe figure (Bolya et al., "Token Merging: Your ViT But Faster", ICLR 2023, Fig. 4 style):
// the model's input, the merged-token map after one block, the lineage of a selected token
// beside them when one is selected (which patches it holds and after which block each joined,
// with a discrete colour bar labelled by block), and the tokens-per-block plot with the block
// shown marked. The selected token is outlined on the input and the map. The caption under the
// panels gives the run and the numbers at the block shown (tokens, GFLOP of blocks 1..k with and
// without merging). Laid out by the shared figure layout (ui/figures/figure_layout.h) at any
// target, so the view fills its widget with text at the type scale; one painter for the view,
// exports and `tokenscope merge`.
#include "core/settings/lab_settings.h"
#include "core/tome/tome_api.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/figure_layout.h"
#include "ui/figures/token_count_plot.h"

#include <QImage>
#include <QLineF>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace ts {

struct MergeMapOptions {
    int layer = -1;            // state after block `layer` (0 = input); -1 = last
    double opacity = 1.0;      // map opacity over the input
    bool borders = true;
    bool randomColours = false; // a distinct random colour per group instead of its mean colour
    int selectedPatch = -1;    // >= 0: the lineage of that patch's token beside the maps
    int panelSize = 448;       // pixels of the rendered rasters
};

struct MergeMapData {
    QImage input, map, lineage; // lineage: null without a selection
    QString title;
    QString inputTitle, mapTitle, lineageTitle;
    QStringList caption;        // the run; the numbers at the block shown
    QStringList notes;          // what each panel shows; the prediction (left out where there is no room)
    QString methodTitle;        // "ToMe", "PiToMe", ...
    int grid = 0;
    int layer = 0, maxLayer = 0;
    int tokensAtLayer = 0;                      // the run's token count after block `layer`
    double gflopAtLayer = 0, gflopPlainAtLayer = -1; // blocks 1..layer; -1: not measured
    TokenCountPlot plot;
    std::vector<QLineF> selectedOutline;        // the selected token's outline, in patch units
    bool hasLineage() const { return !lineage.isNull(); }
};

MergeMapData mergeMapData(const ToMeResult& result, const MergeMapOptions& options);
// The lineage's colour of a join after block 0..layer (RGB): viridis, early dark, late bright.
std::vector<cv::Vec3b> lineageJoinColours(int layer);

// Where the parts lie in `target` (shared by painting and hit-testing: clicks on the input, the
// map or the lineage pick a patch). One row (images, then the plot) where that gives the images
// the most room, else two: the images, and under them the plot as wide as the figure.
struct MergeMapLayout {
    std::vector<std::pair<FigureSpec, FigureBoxes>> parts; // each row's spec and layout
    QRectF input, map, lineage, lineageBar; // data areas; lineage empty without a selection
    PanelBoxes plotPanel;                   // the tokens-per-block plot
};
MergeMapLayout mergeMapLayout(const MergeMapData& data, const QRectF& target);
// The whole figure in one row (also the export's arrangement).
FigureSpec mergeMapSpec(const MergeMapData& data);
// The natural (export) size: every panel's data area 300 px square, in one row.
QSizeF mergeMapNaturalSize(const MergeMapData& data);

void paintMergeMap(QPainter& painter, const QRectF& target, const MergeMapData& data);

// The view part of the settings.
MergeMapOptions mergeMapOptions(const ToMeSettings& settings);
// The whole figure with its recipe: `settings` are those the result was run with and the view
// state (core/settings/lab_settings.h); its command draws this figure.
Figure mergeMapFigure(const ToMeResult& result, const ToMeSettings& settings);

} // namespace ts
