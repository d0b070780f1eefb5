#pragma once
// The attention figure of the ToMe lab: the model input beside the class token's attention drawn
// on the original patches (core/vit/attention_record.h) for one block and head (or the mean over
// heads), or the attention rollout over the blocks (Abnar & Zuidema, "Quantifying Attention Flow
// in Transformers", ACL 2020); with ToMe (Bolya et al., "Token Merging: Your ViT But Faster",
// ICLR 2023) a merged token's weight is spread equally over the patches it holds, and the figure
// says so. The prefix tokens (class, distillation, registers) are their own row of cells in the
// same colours. A viridis colour bar spans the map's range (or 0..max), with uniform attention
// 1/n (n: the input tokens) marked on it. Laid out by the shared figure layout at any target, so
// a view fills its widget with text at the type scale. One painter for the GUI view, exports
// and `tokenscope attention`; torch-free.
#include "core/settings/lab_settings.h"
#include "core/vit/attention_record.h"
#include "ui/figures/colour_bar.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/figure_layout.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace ts {

struct AttentionFigureData {
    QImage input;                // the model input
    int grid = 0;
    std::vector<float> map;      // grid * grid values, raster order (block map or rollout)
    std::vector<float> prefix;   // the class token's weight on each prefix token, class first
    QStringList prefixNames;     // "class", "distillation", "register 1", ...
    ColourBar bar;               // range of map and prefix values (or 0..max), 1/n reference
    int inputTokens = 0;         // n
    QString title;               // what is drawn, in one short line
    QStringList caption;         // what is drawn, model and weights, merging (each may wrap)
    QStringList notes;           // the colours' span, the shares (left out where there is no room)
    QString inputTitle, mapTitle;
};

// `settings`: those the result was run with (schedule, model) and the attention view's range.
AttentionFigureData attentionFigureData(const AttentionResult& result, const ToMeSettings& settings);
// The figure as the shared layout describes it (ui/figures/figure_layout.h): the input, the map
// with its colour bar, and a third panel of the prefix tokens' own cells when the model has any.
FigureSpec attentionFigureSpec(const AttentionFigureData& data);
// The natural (export) size: data areas 288 px square.
QSizeF attentionFigureSize(const AttentionFigureData& data);
// Where the parts lie in `target`.
struct AttentionFigureLayout {
    FigureSpec spec; // as laid out (the notes left out of the caption where there is no room)
    FigureBoxes boxes;
    QRectF input, map, bar, prefix; // data areas and the colour bar; prefix empty without prefix tokens
};
AttentionFigureLayout attentionFigureLayout(const AttentionFigureData& data, const QRectF& target);
// Prefix token i's cell in the prefix panel (cells in rows of up to three, at most half the
// panel wide).
QRectF attentionPrefixCell(const AttentionFigureLayout& layout, const AttentionFigureData& data, int i);
void paintAttentionFigure(QPainter& painter, const QRectF& target, const AttentionFigureData& data);

// The whole figure with its recipe (`tokenscope attention ...`, core/settings/recipe_command.h).
Figure attentionFigure(const AttentionResult& result, const ToMeSettings& settings);

// What `tokenscope attention --json` writes: block, head, grid, tokens, merged, the class token's
// map, every prefix token's row over the patches and the prefix tokens, the rollout when run.
QByteArray attentionResultJson(const AttentionResult& result, bool rollout);

} // namespace ts
