#pragma once
// The FAM figure (TransformerFAM, Hwang et al. 2024, Sec. 2.2): what one query, or the FAM queries
// on average, attends to in one block and layer, drawn where the keys are. Image mode: the image
// cut into blocks of b patches in raster order (every block tinted in turn and numbered), the
// memory segments (the s blocks before the chosen one) and the chosen block coloured by their
// attention weight, the rest dimmed. Beside it, in both modes, the key grid: one row per memory
// segment, the previous FAM's tokens, and the block's own tokens, the same colours; keys the
// query cannot see (FAM queries skip the memory segments; causal blocks hide later tokens) are
// grey. One colour bar (viridis; 0 to the largest weight shown, the seen keys' own range, or 0
// to 1: FamSettings::Range) marks uniform attention 1/n over the n keys the query sees; the
// statistics state the shares by key kind, the sums of the cells
// drawn (famShares), which the FAM panel's text states too. A synthetic stream has no image: the
// key grid alone. Laid out by ui/figures/figure_layout.h. One painter for the FAM panel,
// exports and `tokenscope fam`.
#include "core/fam/fam_api.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/colour_bar.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/figure_layout.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace ts {

// The chosen queries' attention split by key kind (fractions, summing to 1).
struct FamShares {
    double block = 0, previousFam = 0, memory = 0;
};
FamShares famShares(const FamResult& result);
// "33.4% on the block, 0.0% on the previous FAM, 66.6% on memory segments".
QString famSharesText(const FamShares& shares);
// "the FAM queries (mean of 4)", "token 37 (position 5 of block 2)", "FAM query 1".
QString famQueryText(const FamResult& result);

struct FamOverlayData {
    QImage image;             // the model input (empty for a stream)
    int grid = 0;             // patches per side
    int block = 0;            // b
    int fam = 0;              // f (0 without FAM)
    std::int64_t blocks = 0;
    int overlayBlock = -1;    // -1: no attention (blocks only, before a run)
    int query = -1;           // as FamResult::overlayQuery
    std::int64_t firstToken = 0, memoryFirstToken = 0;
    std::vector<float> attention, memoryAttention, famAttention; // the cells drawn
    ColourBar bar;
    QString title, imageTitle, keysTitle;
    QStringList imageStatistics, keysStatistics, footer;

    bool hasImage() const { return !image.isNull() && grid > 0; }
    bool hasAttention() const { return overlayBlock >= 0 && !attention.empty(); }
};

// The figure's data; the colour bar spans the range `range` names (FamSettings::Range).
FamOverlayData famOverlayData(const FamResult& result, FamSettings::Range range = FamSettings::Range::FromZero);
// Before a run: just the blocks over the image.
FamOverlayData famBlocksData(const QImage& image, int grid, int block);
// The shares of the cells drawn (equal to famShares of the result they came from).
FamShares famShares(const FamOverlayData& data);

FigureSpec famOverlaySpec(const FamOverlayData& data);
QSizeF famOverlayNaturalSize(const FamOverlayData& data);
// The image's data area (empty for a stream) when painted into `target`.
QRectF famOverlayImageRect(const QRectF& target, const FamOverlayData& data);
// The patch under `point` of the image area (-1 outside), for clicks that pick a query.
int famPatchAt(const QRectF& target, const FamOverlayData& data, const QPointF& point);
void paintFamOverlay(QPainter& painter, const QRectF& target, const FamOverlayData& data);

// `settings` with the sizes the run actually used (the panel clamps the block and the overlay to
// the image's patches).
FamSettings famSettingsAsRun(const FamResult& result, FamSettings settings);
// The figure with its recipe (from famSettingsAsRun).
Figure famOverlayFigure(const FamResult& result, const FamSettings& settings);
// The same, painting `data` (famOverlayData of `result` in settings.range), for a caller that
// keeps the data for its own geometry.
Figure famOverlayFigure(const FamResult& result, const FamSettings& settings, std::shared_ptr<const FamOverlayData> data);

// The JSON `tokenscope fam --json` writes (blocks, peak_memory_bytes, seconds, ...).
QByteArray famResultJson(const FamResult& result);

} // namespace ts
