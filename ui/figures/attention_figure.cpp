#include "ui/figures/attention_figure.h"

#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "core/util/error.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/figure_record.h"
#include "ui/figures/rgb_image.h"

#include <QFileInfo>
#include <QFontMetricsF>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>

#include <algorithm>

namespace ts {
namespace {

constexpr double kPanelPixels = 288; // a panel's data area in an export at scale 1

QStringList prefixNamesOf(const VitConfig& c)
{
    QStringList names;
    if (c.classToken)
        names << QObject::tr("class");
    if (c.distillationToken)
        names << QObject::tr("dist");
    for (int i = 0; i < c.registers; ++i)
        names << QObject::tr("reg %1").arg(i + 1);
    return names;
}

QString weightsText(const ModelSource& source)
{
    return source.isRandom() ? QObject::tr("random weights (seed %1), not a trained model").arg(source.seed)
                             : QObject::tr("checkpoint %1").arg(QFileInfo(QString::fromStdString(source.checkpoint)).fileName());
}

QStringList captionOf(const AttentionResult& r, const ToMeSettings& s)
{
    const VitConfig& c = r.config;
    const QString heads = r.head < 0 ? QObject::tr("mean over %1 heads").arg(c.heads) : QObject::tr("head %1 of %2").arg(r.head).arg(c.heads);
    const bool rollout = !r.rolloutToPatches.empty();
    QStringList lines;
    if (rollout)
        lines << QObject::tr("Rollout (Abnar & Zuidema 2020): head mean plus identity, rows renormalised, multiplied over blocks 1–%1.")
                     .arg(c.depth);
    else
        lines << QObject::tr("Block %1 of %2, %3.").arg(r.block + 1).arg(c.depth).arg(heads);
    lines << QObject::tr("%1 at %2 px, %3").arg(QString::fromStdString(vitDisplayName(c))).arg(c.imageSize).arg(weightsText(s.model.source));
    const QString tome = QObject::tr("ToMe %1, proportional attention %2")
                             .arg(QString::fromStdString(toMeScheduleOf(s).describe()), s.proportionalAttention ? "on" : "off");
    const bool merged = rollout ? r.rolloutMerged : r.merged;
    if (!merged)
        lines << tome + QObject::tr(": no tokens merged %1, one token per patch").arg(rollout ? QObject::tr("in any block") : QObject::tr("before block %1").arg(r.block + 1));
    else if (rollout)
        lines << tome + QObject::tr(": tokens merged between blocks; rollout follows each merge (size-weighted average) and is drawn per original patch");
    else
        lines << tome + QObject::tr(": %1 tokens in block %2; a merged token's weight is spread equally over the patches it holds").arg(r.tokens).arg(r.block + 1);
    return lines;
}

} // namespace

AttentionFigureData attentionFigureData(const AttentionResult& r, const ToMeSettings& s)
{
    const bool rollout = !r.rolloutToPatches.empty();
    AttentionFigureData d;
    d.grid = r.grid;
    d.map = rollout ? r.rolloutToPatches : r.classToPatches;
    d.prefix = rollout ? r.rolloutToPrefix : (r.prefixToPrefix.empty() ? std::vector<float>() : r.prefixToPrefix.front());
    if (d.grid <= 0 || d.map.size() != static_cast<std::size_t>(d.grid * d.grid))
        throw Error("attention figure: the result holds no map for a " + std::to_string(d.grid) + " x " + std::to_string(d.grid) + " grid");
    d.prefixNames = prefixNamesOf(r.config);
    d.input = qImageFromRgb(r.crop);
    d.inputTokens = r.config.numTokens();
    std::vector<float> all = d.map;
    all.insert(all.end(), d.prefix.begin(), d.prefix.end());
    const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
    const bool fromZero = s.attention.range == AttentionSettings::Range::FromZero;
    d.bar = colourBarFor(fromZero ? 0.0 : double(*lo), double(*hi), 1.0 / d.inputTokens, QObject::tr("1/%1 uniform").arg(d.inputTokens));
    d.title = rollout ? QObject::tr("Attention rollout of the class token") : QObject::tr("Class-token attention, block %1").arg(r.block + 1);
    d.caption = captionOf(r, s);
    d.inputTitle = QObject::tr("Input");
    d.mapTitle = rollout ? QObject::tr("Rollout → patches") : QObject::tr("Class token → patches");
    double onPatches = 0, onPrefix = 0;
    for (float v : d.map)
        onPatches += v;
    for (float v : d.prefix)
        onPrefix += v;
    const QString span = fromZero ? QObject::tr("0 to the largest value shown, %1").arg(colourBarNumber(d.bar.hi))
                                  : QObject::tr("the values shown, %1 to %2").arg(colourBarNumber(d.bar.lo), colourBarNumber(d.bar.hi));
    d.notes << QObject::tr("Colours (viridis) span %1; the bar's line marks uniform attention 1/n, n = %2 input tokens (%3 prefix, %4 patches).")
                    .arg(span)
                    .arg(d.inputTokens)
                    .arg(r.config.prefixTokens())
                    .arg(r.config.numPatches());
    d.notes << QObject::tr("The patches hold %1% of the class token's weight, the prefix tokens %2% (values per patch).")
                    .arg(100 * onPatches, 0, 'f', 1)
                    .arg(100 * onPrefix, 0, 'f', 1);
    return d;
}

FigureSpec attentionFigureSpec(const AttentionFigureData& d)
{
    auto square = [](const QString& title) {
        PanelSpec p;
        p.title = title;
        p.aspect = 1;
        return p;
    };
    FigureSpec spec;
    spec.title = d.title;
    spec.panels = {square(d.inputTitle), square(d.mapTitle)};
    spec.panels[1].colourBar = d.bar;
    if (!d.prefix.empty())
        spec.panels.push_back(square(QObject::tr("Prefix tokens")));
    spec.caption = d.caption + d.notes;
    return spec;
}

QSizeF attentionFigureSize(const AttentionFigureData& d)
{
    return figureSizeFor(attentionFigureSpec(d), QSizeF(kPanelPixels, kPanelPixels));
}

namespace {

AttentionFigureLayout arrangedLayout(const AttentionFigureData& d, const QRectF& target, bool notes)
{
    AttentionFigureLayout l;
    l.spec = attentionFigureSpec(d);
    if (!notes)
        l.spec.caption = d.caption;
    l.boxes = layoutFigure(l.spec, target);
    if (l.boxes.panels.size() < 2)
        return l;
    l.input = l.boxes.panels[0].data;
    l.map = l.boxes.panels[1].data;
    l.bar = l.boxes.panels[1].colourBar;
    if (l.boxes.panels.size() > 2)
        l.prefix = l.boxes.panels[2].data;
    return l;
}

} // namespace

AttentionFigureLayout attentionFigureLayout(const AttentionFigureData& d, const QRectF& target)
{
    // The notes (the colours' span, the shares) only where they leave the maps room.
    constexpr double kSmallest = 120;
    AttentionFigureLayout full = arrangedLayout(d, target, true);
    if (full.map.height() >= kSmallest && full.boxes.caption.bottom() <= target.bottom() + 0.5)
        return full;
    return arrangedLayout(d, target, false);
}

QRectF attentionPrefixCell(const AttentionFigureLayout& l, const AttentionFigureData& d, int i)
{
    const int n = static_cast<int>(d.prefix.size());
    if (n == 0 || l.prefix.isEmpty())
        return {};
    const int cols = std::min(n, 3), rows = (n + cols - 1) / cols;
    const double side = std::min({l.prefix.width() / cols, l.prefix.height() / rows, l.prefix.width() / 2});
    const QPointF origin(l.prefix.left() + (l.prefix.width() - cols * side) / 2, l.prefix.top());
    return QRectF(origin + QPointF((i % cols) * side, (i / cols) * side), QSizeF(side, side)).adjusted(2, 2, -2, -2);
}

namespace {

void paintMap(QPainter& p, const QRectF& panel, const AttentionFigureData& d)
{
    const double cell = panel.width() / d.grid;
    p.setRenderHint(QPainter::Antialiasing, false); // abutting cells without seams
    for (int y = 0; y < d.grid; ++y)
        for (int x = 0; x < d.grid; ++x) {
            const QRectF r(panel.left() + x * cell, panel.top() + y * cell, cell, cell);
            p.fillRect(r.adjusted(0, 0, 0.5, 0.5), colourBarColour(d.bar, d.map[static_cast<std::size_t>(y * d.grid + x)]));
        }
    p.setRenderHint(QPainter::Antialiasing, true);
}

// Each prefix token's cell in the map's colours, its name and value inside (dark on the bright
// end of the ramp) where they fit.
void paintPrefixCells(QPainter& p, const AttentionFigureLayout& l, const AttentionFigureData& d)
{
    const double line = QFontMetricsF(figureFont(TextRole::Annotation)).height();
    for (int i = 0; i < static_cast<int>(d.prefix.size()); ++i) {
        const QRectF cell = attentionPrefixCell(l, d, i);
        const double v = d.prefix[static_cast<std::size_t>(i)];
        p.fillRect(cell, colourBarColour(d.bar, v));
        p.setPen(QPen(Qt::gray, 1));
        p.drawRect(cell);
        if (cell.height() < 2 * line + 4)
            continue;
        p.setPen((v - d.bar.lo) / (d.bar.hi - d.bar.lo) > 0.6 ? Qt::black : Qt::white);
        const QPointF c = cell.center();
        drawFigureText(p, QRectF(cell.left(), c.y() - line, cell.width(), line), Qt::AlignCenter, d.prefixNames.value(i),
                       TextRole::Annotation);
        drawFigureText(p, QRectF(cell.left(), c.y(), cell.width(), line), Qt::AlignCenter, colourBarNumber(v), TextRole::Annotation);
    }
}

} // namespace

void paintAttentionFigure(QPainter& p, const QRectF& target, const AttentionFigureData& d)
{
    const AttentionFigureLayout l = attentionFigureLayout(d, target);
    if (l.map.isEmpty())
        return;
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(l.input, d.input);
    paintMap(p, l.map, d);
    p.setPen(QPen(Qt::gray, 1));
    p.drawRect(l.input);
    p.drawRect(l.map);
    paintPrefixCells(p, l, d);
    paintFigureFrame(p, l.boxes, l.spec);
    p.restore();
}

Figure attentionFigure(const AttentionResult& result, const ToMeSettings& settings)
{
    auto data = std::make_shared<AttentionFigureData>(attentionFigureData(result, settings));
    Figure f;
    f.size = attentionFigureSize(*data);
    f.paint = [data](QPainter& p, const QRectF& r) { paintAttentionFigure(p, r, *data); };
    f.title = QObject::tr("ToMe attention");
    f.description = data->title + " — " + (data->caption + data->notes).join(" ");
    ToMeSettings shown = settings;
    shown.attention.block = result.block;
    shown.attention.head = result.head;
    shown.attention.rollout = !result.rolloutToPatches.empty();
    setFigureRecipe(f, "tome-attention", toJson(shown), attentionRecipeArguments(shown));
    return f;
}

namespace {

QJsonArray numbers(const std::vector<float>& v)
{
    QJsonArray a;
    for (float x : v)
        a.append(static_cast<double>(x));
    return a;
}

} // namespace

QByteArray attentionResultJson(const AttentionResult& r, bool rollout)
{
    QJsonObject o;
    o["block"] = r.block + 1;
    o["head"] = r.head < 0 ? QJsonValue("mean") : QJsonValue(r.head);
    o["grid"] = r.grid;
    o["tokens"] = r.tokens;
    o["merged"] = r.merged;
    if (r.merged)
        o["note"] = "tokens had merged: a merged token's weight is shared equally by the patches it holds";
    o["class_to_patches"] = numbers(r.classToPatches);
    QJsonArray prefixRows, prefixPrefix;
    for (std::size_t p = 0; p < r.prefixToPatches.size(); ++p) {
        prefixRows.append(numbers(r.prefixToPatches[p]));
        prefixPrefix.append(numbers(r.prefixToPrefix[p]));
    }
    o["prefix_to_patches"] = prefixRows; // class, distillation, registers: each its own row
    o["prefix_to_prefix"] = prefixPrefix;
    if (rollout) {
        o["rollout"] = numbers(r.rolloutToPatches);
        o["rollout_to_prefix"] = numbers(r.rolloutToPrefix);
    }
    o["model"] = QJsonObject{{"family", QString::fromStdString(r.config.family)},
                             {"format", QString::fromStdString(r.config.format)},
                             {"prefix_tokens", r.config.prefixTokens()},
                             {"depth", r.config.depth},
                             {"heads", r.config.heads}};
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
