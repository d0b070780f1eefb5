#pragma once
// The FAM figure: the image cut into blocks of b patches in raster order, and for one block and
// layer the FAM queries' attention over that block's patches as a heat map (the memory the FAM
// writes, TransformerFAM Sec. 2.2). A synthetic stream has no image: its block is drawn as bars.
// One painter for the FAM panel, exports and `tokenscope fam`.
#include "core/fam/fam_api.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/figure_export.h"

#include <QImage>
#include <QString>

#include <vector>

namespace ts {

struct FamOverlayData {
    QImage image;             // the model input (empty for a stream)
    int grid = 0;             // patches per side
    int block = 0;            // b
    std::int64_t blocks = 0;
    int overlayBlock = -1;    // -1: no attention (blocks only, before a run)
    std::int64_t firstToken = 0;
    std::vector<float> attention; // over the overlay block's tokens
    float onPreviousFam = 0, onMemory = 0;
    bool withFam = true;
    QString caption, footer;
};

FamOverlayData famOverlayData(const FamResult& result);
// Before a run: just the blocks over the image.
FamOverlayData famBlocksData(const QImage& image, int grid, int block);

QSizeF famOverlayNaturalSize();
// The image rectangle (for hit-testing patches in the panel).
QRectF famOverlayImageRect(const QRectF& target);
void paintFamOverlay(QPainter& painter, const QRectF& target, const FamOverlayData& data);

// `settings` with the sizes the run actually used (the panel clamps the block and the overlay to
// the image's patches).
FamSettings famSettingsAsRun(const FamResult& result, FamSettings settings);
// The figure with its recipe (from famSettingsAsRun).
Figure famOverlayFigure(const FamResult& result, const FamSettings& settings);

// The JSON `tokenscope fam --json` writes (blocks, peak_memory_bytes, seconds, ...).
QByteArray famResultJson(const FamResult& result);

} // namespace ts
