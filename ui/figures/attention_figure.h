#pragma once
// The attention figure of the ToMe lab: the model input beside the class token's attention drawn
// on the original patches (core/vit/attention_record.h) for one block and head (or the mean over
// heads), or the attention rollout over the blocks (Abnar & Zuidema, "Quantifying Attention Flow
// in Transformers", ACL 2020); with ToMe (Bolya et al., "Token Merging: Your ViT But Faster",
// ICLR 2023) a merged token's weight is spread equally over the patches it holds, and the figure
// says so. The prefix tokens (class, distillation, registers) are their own row of cells in the
// same colours. A viridis colour bar spans the map's range (or 0..max), with uniform attention
// 1/n (n: the input tokens) marked on it. One painter for the GUI view, exports and
// `tokenscope attention`; torch-free.
#include "core/settings/lab_settings.h"
#include "core/vit/attention_record.h"
#include "ui/figures/colour_bar.h"
#include "ui/figures/figure_export.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace ts {

// Text size at the figure's natural size: views must not show it below 11 / 13 of that size.
constexpr double kAttentionFontPixels = 13;

struct AttentionFigureData {
    QImage input;                // the model input
    int grid = 0;
    std::vector<float> map;      // grid * grid values, raster order (block map or rollout)
    std::vector<float> prefix;   // the class token's weight on each prefix token, class first
    QStringList prefixNames;     // "class", "distillation", "register 1", ...
    ColourBar bar;               // range of map and prefix values (or 0..max), 1/n reference
    int inputTokens = 0;         // n
    QStringList caption;         // what, model and weights, merging (each line may wrap)
    QString inputTitle, mapTitle;
    QStringList footer;
    double width = 0, captionHeight = 0, footerHeight = 0; // natural layout (wrapped text measured)
};

// `settings`: those the result was run with (schedule, model) and the attention view's range.
AttentionFigureData attentionFigureData(const AttentionResult& result, const ToMeSettings& settings);
QSizeF attentionFigureSize(const AttentionFigureData& data);
// Where the parts lie, in the figure's natural coordinates (rendered at scale 1: pixels).
struct AttentionFigureLayout {
    QRectF input, map, bar;
    double prefixTop = 0, footerTop = 0;
};
AttentionFigureLayout attentionFigureLayout(const AttentionFigureData& data);
void paintAttentionFigure(QPainter& painter, const QRectF& target, const AttentionFigureData& data);

// The whole figure with its recipe (`tokenscope attention ...`, core/settings/recipe_command.h).
Figure attentionFigure(const AttentionResult& result, const ToMeSettings& settings);

// What `tokenscope attention --json` writes: block, head, grid, tokens, merged, the class token's
// map, every prefix token's row over the patches and the prefix tokens, the rollout when run.
QByteArray attentionResultJson(const AttentionResult& result, bool rollout);

} // namespace ts
