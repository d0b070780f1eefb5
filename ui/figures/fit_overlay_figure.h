#pragma once
// The FIT figure: where one group's latent tokens look. Left: the grouping over the image and,
// inside the chosen group's window, the heat map of its latents' read (cross-attention) weights
// over its patches (one latent or all combined). Right: for the block's global layers, how much
// the chosen group's latents attend to every group, as a group-level heat map over the image.
// One painter for the FIT panel, exports and `tokenscope fit`.
#include "core/fit/fit_api.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/colour_bar.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/figure_layout.h"

#include <QImage>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <utility>
#include <vector>

namespace ts {

struct FitOverlayOptions {
    int block = -1;   // 0-based; -1: the last block with global layers
    int group = -1;   // -1: the group at the image centre
    int latent = -1;  // -1: all of the group's latents combined
    FitSettings::Range range = FitSettings::Range::Fixed;
    int panelSize = 448;
};

struct FitOverlayData {
    QImage image;             // the model input, scaled to fit a panel
    Grouping grouping;
    int block = 0, group = 0, latent = -1;
    std::vector<float> read;  // [rows * cols] of the group's (clipped) window
    std::vector<float> global; // [t]
    ColourBar readBar, globalBar; // the maps' colours (empty maps: a preview, grouping only)
    QString caption, leftTitle, rightTitle;
    QStringList leftStatistics, rightStatistics, footer;
    QString rightMessage;      // shown in the right panel of a preview
};

// The block shown by default (last with global layers); -1 when the pattern has none.
int defaultFitOverlayBlock(const FitResult& result);
// The group under the image centre.
int centreGroup(const Grouping& grouping);

// Throws ts::Error when the block / group / latent was not recorded or does not exist.
FitOverlayData fitOverlayData(const FitResult& result, const FitOverlayOptions& options);

// Before a result: the model input with the g x g windows (and padding) drawn, the selected group
// outlined, and `message` in the right panel.
FitOverlayData fitPreviewData(const QImage& image, const Grouping& grouping, int selectedGroup, const QString& message);
// The colour bars' range when the range is Fixed: 0 to the largest read and global weight of
// `group` (and `latent`) over every recorded block with global layers.
std::pair<double, double> fitFixedRanges(const FitResult& result, int group, int latent);

struct FitOverlayLayout {
    QRectF left, right; // the two data areas (image panels)
};
FigureSpec fitOverlaySpec(const FitOverlayData& data);
FitOverlayLayout fitOverlayLayout(const QRectF& target, const FitOverlayData& data);
QSizeF fitOverlayNaturalSize(const FitOverlayData& data);
// The group under a point of either panel (-1 outside), for clicks in the FIT panel.
int fitGroupAt(const FitOverlayLayout& layout, const Grouping& grouping, const QPointF& point);

void paintFitOverlay(QPainter& painter, const QRectF& target, const FitOverlayData& data);

// The view part of the settings.
FitOverlayOptions fitOverlayOptions(const FitSettings& settings);
// The figure with its recipe (`settings`: what the result was run with, and the view).
Figure fitOverlayFigure(const FitResult& result, const FitSettings& settings);

// The JSON `tokenscope fit --json` writes: groups, tokens_per_group, latents_per_group, pattern,
// peak_memory_bytes, estimated_memory_bytes, seconds, and the overlay's weights as arrays with
// the colour bars' ranges.
QByteArray fitResultJson(const FitResult& result, const FitOverlayOptions& options);

} // namespace ts
