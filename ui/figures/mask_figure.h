#pragma once
// The attention-mask figure (TransformerFAM Fig. 1/2 style): one to three masks side by side at
// the same pixel scale, each pixel shaded by the share of allowed pairs under it and coloured by
// where most of its keys come from (current block, memory segment, FAM, group, latent...), with
// the attention cost computed from the same mask under each panel. One painter for the mask view,
// exports and `tokenscope mask`, laid out by ui/figures/figure_layout.h (titles, tick labels in
// data tokens, axis titles, statistics, legend and caption measured, never clipped).
//
// Panels are aligned by data token, not by position: a layout may hold more positions than data
// tokens (FAM puts its memory tokens F_t after every block), so the region shown is a range of
// data tokens, and each panel shows the positions that hold them (AttentionMask::
// positionOfDataToken). The caption says so; ticks are data-token indices in every panel.
#include "core/masks/attention_mask.h"
#include "core/masks/mask_cost.h"
#include "core/masks/mask_raster.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/figure_export.h"

#include <QColor>
#include <QImage>
#include <QString>

#include <vector>

namespace ts {

// Distinct in hue and in lightness (CIE L* at least 8 apart), so they also differ in grey.
QColor keyKindColour(KeyKind kind);
// White where masked; the kind's colour, stronger with the allowed share (square-root scale
// with a floor, so a sliver of allowed keys in a large pixel still shows).
QImage maskRasterImage(const MaskRaster& raster);

struct MaskTick {
    double at = 0;  // fraction of the panel's side, 0 at the left / top
    QString label;  // a data-token index ("1,024")
};

struct MaskPanelData {
    QString title;        // the mask's label
    QImage image;         // the raster, one image pixel per raster pixel
    MaskRegion region;    // positions shown
    std::int64_t queries = 0, keys = 0;
    QString costText;     // allowed pairs, share of dense, Q K^T and A V FLOPs (lines)
    std::vector<KeyKind> kinds; // kinds present (for the legend)
    QString queryTitle, keyTitle;                 // "query token"; "query latent" on a latent axis
    std::vector<MaskTick> queryTicks, keyTicks;   // round data-token indices, as many as fit
    std::vector<double> queryLines, keyLines;     // block boundaries (fractions of the side)
};

// Rasterises `region` of the mask at pixels x pixels and states its cost at `width`; `block`
// (> 0) draws block boundaries every `block` data tokens.
MaskPanelData maskPanelData(const AttentionMask& mask, const MaskRegion& region, int pixels, int width,
                            std::int64_t block = 0);

struct MaskFigureData {
    std::vector<MaskPanelData> panels; // 1..3
    QString caption;                   // lines
    int panelSide = 512;               // logical pixels per panel (the export's data side)
};

struct MaskFigureLayout {
    std::vector<QRectF> panels; // the raster area of each panel
    QRectF caption, legend;
};
QSizeF maskFigureNaturalSize(const MaskFigureData& data);
// The figure fills `target`: the raster areas are as large as the text around them allows.
MaskFigureLayout maskFigureLayout(const QRectF& target, const MaskFigureData& data);

void paintMaskFigure(QPainter& painter, const QRectF& target, const MaskFigureData& data);

Figure maskFigure(const MaskFigureData& data, const QString& recipeJson, const QString& command);

// The positions of `mask` that hold the data tokens `first` shows in `firstRegion` (the whole
// mask where the region reaches an end), so every panel shows the same data tokens.
MaskRegion alignedMaskRegion(const AttentionMask& first, const MaskRegion& firstRegion, const AttentionMask& mask);
// The region a panel shows: the settings' zoom (positions of the first mask; else its whole
// extent), clipped to the first mask and aligned to `mask` by data token.
MaskRegion shownMaskRegion(const AttentionMask& first, const AttentionMask& mask, const MaskSettings& settings);
// The figure's panels and caption from the settings (pixels, panel side, width, zoom, block
// sizes for the gridlines): the mask view and `tokenscope mask` both build it here.
MaskFigureData maskFigureData(const std::vector<const AttentionMask*>& masks, const MaskSettings& settings);
// With its recipe from the settings.
Figure maskFigure(const MaskFigureData& data, const MaskSettings& settings);

} // namespace ts
