#include "ui/figures/attention_figure.h"

#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "core/util/error.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/figure_recipe.h"
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

constexpr double kMargin = 16, kPanel = 288, kGap = 16, kBarWidth = 16, kTitle = 22, kLine = 18;
constexpr double kPrefixRow = 10 + 26 + kLine; // gap, cells, names

// The application's font at the figure's size: the same for measuring and painting, on every
// painter (widget, image, SVG, PDF).
QFont figureFont()
{
    QFont font;
    font.setPixelSize(static_cast<int>(kAttentionFontPixels));
    return font;
}

double textWidth(const AttentionFigureData& d) { return d.width - 2 * kMargin; }

// Height of `lines` word-wrapped to `width` at the figure's font (measured a little narrower
// than drawn, so a painter's own metrics never need one more line).
double wrappedHeight(const QStringList& lines, double width)
{
    const QFontMetricsF metrics(figureFont());
    double h = 0;
    for (const QString& line : lines)
        h += std::max(kLine, metrics.boundingRect(QRectF(0, 0, width - 8, 1e6), Qt::TextWordWrap, line).height() + 2);
    return h;
}

void drawLines(QPainter& p, double top, double width, const QStringList& lines)
{
    const QFontMetricsF metrics(figureFont());
    for (const QString& line : lines) {
        const double h = std::max(kLine, metrics.boundingRect(QRectF(0, 0, width - 8, 1e6), Qt::TextWordWrap, line).height() + 2);
        p.drawText(QRectF(kMargin, top, width, h), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap, line);
        top += h;
    }
}

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
    lines << (rollout ? QObject::tr("Attention rollout of the class token over blocks 1–%1 (Abnar & Zuidema 2020: head mean plus "
                                    "identity, rows renormalised, multiplied over the blocks)")
                            .arg(c.depth)
                      : QObject::tr("Class-token attention in block %1 of %2, %3").arg(r.block + 1).arg(c.depth).arg(heads));
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
    d.caption = captionOf(r, s);
    d.inputTitle = QObject::tr("Model input (%1 px)").arg(r.config.imageSize);
    d.mapTitle = rollout ? QObject::tr("Rollout: class token → patches") : QObject::tr("Class token → patches, block %1").arg(r.block + 1);
    double onPatches = 0, onPrefix = 0;
    for (float v : d.map)
        onPatches += v;
    for (float v : d.prefix)
        onPrefix += v;
    const QString span = fromZero ? QObject::tr("0 to the largest value shown, %1").arg(colourBarNumber(d.bar.hi))
                                  : QObject::tr("the values shown, %1 to %2").arg(colourBarNumber(d.bar.lo), colourBarNumber(d.bar.hi));
    d.footer << QObject::tr("Colours (viridis) span %1; the bar's line marks uniform attention 1/n, n = %2 input tokens (%3 prefix, %4 patches).")
                    .arg(span)
                    .arg(d.inputTokens)
                    .arg(r.config.prefixTokens())
                    .arg(r.config.numPatches());
    d.footer << QObject::tr("The patches hold %1% of the class token's weight, the prefix tokens %2% (values per patch).")
                    .arg(100 * onPatches, 0, 'f', 1)
                    .arg(100 * onPrefix, 0, 'f', 1);
    d.width = kMargin + kPanel + kGap + kPanel + kGap + kBarWidth + 7 + colourBarLabelWidth(kAttentionFontPixels) + kMargin;
    d.captionHeight = wrappedHeight(d.caption, textWidth(d));
    d.footerHeight = wrappedHeight(d.footer, textWidth(d));
    return d;
}

QSizeF attentionFigureSize(const AttentionFigureData& d)
{
    return {d.width, kMargin / 2 + d.captionHeight + kTitle + kPanel + kPrefixRow + 6 + d.footerHeight + kMargin / 2};
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

void paintPrefixRow(QPainter& p, const QRectF& panel, double top, const AttentionFigureData& d)
{
    const int n = static_cast<int>(d.prefix.size());
    if (n == 0)
        return;
    const double cellW = std::min(64.0, panel.width() / n), cellH = 26;
    p.setPen(figureInk(p));
    p.drawText(QRectF(kMargin, top, kPanel, cellH), Qt::AlignRight | Qt::AlignVCenter, QObject::tr("Prefix tokens, own cells:"));
    for (int i = 0; i < n; ++i) {
        const QRectF cell(panel.left() + i * cellW, top, cellW - 2, cellH);
        const double v = d.prefix[static_cast<std::size_t>(i)];
        p.fillRect(cell, colourBarColour(d.bar, v));
        p.setPen(QPen(Qt::gray, 1));
        p.drawRect(cell);
        if (cellW >= 48) { // the value inside, dark on the bright end of the ramp
            p.setPen((v - d.bar.lo) / (d.bar.hi - d.bar.lo) > 0.6 ? Qt::black : Qt::white);
            p.drawText(cell, Qt::AlignCenter, colourBarNumber(v));
        }
        p.setPen(figureInk(p));
        const QString name = cellW >= 40 ? d.prefixNames.value(i) : QString::number(i);
        p.drawText(QRectF(cell.left() - 4, cell.bottom(), cellW + 6, kLine), Qt::AlignHCenter | Qt::AlignVCenter, name);
    }
}

} // namespace

AttentionFigureLayout attentionFigureLayout(const AttentionFigureData& d)
{
    AttentionFigureLayout l;
    const double top = kMargin / 2 + d.captionHeight + kTitle;
    l.input = QRectF(kMargin, top, kPanel, kPanel);
    l.map = QRectF(kMargin + kPanel + kGap, top, kPanel, kPanel);
    const double barInset = 2.5 * kAttentionFontPixels; // room for a reference beyond either end
    l.bar = QRectF(l.map.right() + kGap, top + barInset, kBarWidth, kPanel - 2 * barInset);
    l.prefixTop = l.map.bottom() + 10;
    l.footerTop = l.map.bottom() + kPrefixRow + 6;
    return l;
}

void paintAttentionFigure(QPainter& p, const QRectF& target, const AttentionFigureData& d)
{
    const QSizeF natural = attentionFigureSize(d);
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    const AttentionFigureLayout l = attentionFigureLayout(d);
    p.save();
    p.translate(target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2));
    p.scale(s, s);
    p.setFont(figureFont());
    p.setPen(figureInk(p));
    drawLines(p, kMargin / 2, textWidth(d), d.caption);
    p.drawText(QRectF(l.input.left(), l.input.top() - kTitle, kPanel, kTitle), Qt::AlignLeft | Qt::AlignVCenter, d.inputTitle);
    p.drawText(QRectF(l.map.left(), l.map.top() - kTitle, kPanel + kGap + 100, kTitle), Qt::AlignLeft | Qt::AlignVCenter, d.mapTitle);
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    p.drawImage(l.input, d.input);
    paintMap(p, l.map, d);
    p.setPen(QPen(Qt::gray, 1));
    p.drawRect(l.input);
    p.drawRect(l.map);
    paintColourBar(p, l.bar, d.bar, kAttentionFontPixels);
    paintPrefixRow(p, l.map, l.prefixTop, d);
    p.setPen(figureSubtleInk(p));
    drawLines(p, l.footerTop, textWidth(d), d.footer);
    p.restore();
}

Figure attentionFigure(const AttentionResult& result, const ToMeSettings& settings)
{
    auto data = std::make_shared<AttentionFigureData>(attentionFigureData(result, settings));
    Figure f;
    f.size = attentionFigureSize(*data);
    f.paint = [data](QPainter& p, const QRectF& r) { paintAttentionFigure(p, r, *data); };
    f.title = QObject::tr("ToMe attention");
    f.description = data->caption.join(" — ");
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
