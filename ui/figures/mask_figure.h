#pragma once
// The attention-mask figure (TransformerFAM Fig. 1/2 style): one to three masks side by side at
// the same pixel scale, each pixel shaded by the share of allowed pairs under it and coloured by
// where most of its keys come from (current block, memory segment, FAM, group, latent...), with
// the attention cost computed from the same mask under each panel. One painter for the mask view,
// exports and `tokenscope mask`.
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

QColor keyKindColour(KeyKind kind);
// White where masked; the kind's colour, stronger with the allowed share (square-root scale
// with a floor, so a sliver of allowed keys in a large pixel still shows).
QImage maskRasterImage(const MaskRaster& raster);

struct MaskPanelData {
    QString title;        // the mask's label
    QImage image;         // the raster, one image pixel per raster pixel
    MaskRegion region;
    std::int64_t queries = 0, keys = 0;
    QString costText;     // allowed pairs, share of dense, Q K^T and A V FLOPs
    std::vector<KeyKind> kinds; // kinds present (for the legend)
};

// Rasterises `region` of the mask at pixels x pixels and states its cost at `width`.
MaskPanelData maskPanelData(const AttentionMask& mask, const MaskRegion& region, int pixels, int width);

struct MaskFigureData {
    std::vector<MaskPanelData> panels; // 1..3
    QString caption;
    int panelSide = 512;               // logical pixels per panel
};

struct MaskFigureLayout {
    std::vector<QRectF> panels; // the raster area of each panel
    QRectF caption, legend;
};
QSizeF maskFigureNaturalSize(const MaskFigureData& data);
MaskFigureLayout maskFigureLayout(const QRectF& target, const MaskFigureData& data);

void paintMaskFigure(QPainter& painter, const QRectF& target, const MaskFigureData& data);

Figure maskFigure(const MaskFigureData& data, const QString& recipeJson, const QString& command);

// The region a panel shows: the settings' zoom (else the first mask's whole extent), clipped to
// `mask`, so every panel shows the same positions at the same scale.
MaskRegion shownMaskRegion(const AttentionMask& first, const AttentionMask& mask, const MaskSettings& settings);
// The figure's panels and caption from the settings (pixels, panel side, width, zoom): the mask
// view and `tokenscope mask` both build it here.
MaskFigureData maskFigureData(const std::vector<const AttentionMask*>& masks, const MaskSettings& settings);
// With its recipe from the settings.
Figure maskFigure(const MaskFigureData& data, const MaskSettings& settings);

} // namespace ts
