#pragma once
// The ToMe figure: the model's input (or a region's lineage) beside the merged-token map at one
// layer, with a caption that says what produced it. One painter for the view, exports and CLI.
#include "core/settings/lab_settings.h"
#include "core/tome/tome_api.h"
#include "ui/figures/figure_export.h"

#include <QImage>
#include <QString>

namespace ts {

struct MergeMapOptions {
    int layer = -1;            // state after block `layer` (0 = input); -1 = last
    double opacity = 1.0;      // map opacity over the input
    bool borders = true;
    int selectedPatch = -1;    // >= 0: left panel shows that region's lineage
    int panelSize = 448;       // pixels per panel
};

struct MergeMapData {
    QImage left, right;
    QString leftTitle, rightTitle;
    QString caption;   // one line: model, weights, schedule
    QString footer;    // one line: tokens, timing
    int grid = 0;
    int maxLayer = 0;
    bool lineage = false;
};

MergeMapData mergeMapData(const ToMeResult& result, const MergeMapOptions& options);

// Layout shared by painting and hit-testing (clicks on either panel pick a patch).
struct MergeMapLayout {
    QRectF left, right, caption, footer, legend;
};
MergeMapLayout mergeMapLayout(const QRectF& target);
QSizeF mergeMapNaturalSize();

void paintMergeMap(QPainter& painter, const QRectF& target, const MergeMapData& data);

// The view part of the settings.
MergeMapOptions mergeMapOptions(const ToMeSettings& settings);
// The whole figure with its recipe: `settings` are those the result was run with and the view
// state (core/settings/lab_settings.h); its command draws this figure.
Figure mergeMapFigure(const ToMeResult& result, const ToMeSettings& settings);

// The JSON the command line writes with --json (tokens_per_layer, source, sizes, top5, weights, model).
QByteArray toMeResultJson(const ToMeResult& result);

} // namespace ts
