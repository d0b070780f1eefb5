#include "ui/figures/merge_map_figure.h"

#include "core/render/merge_map.h"
#include "core/util/error.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/rgb_image.h"
#include "ui/figures/figure_recipe.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLinearGradient>
#include <QPainter>

namespace ts {
namespace {

constexpr double kPanel = 448, kMargin = 16, kTitle = 22, kCaption = 22, kFooter = 20, kLegend = 26;

QJsonArray intArray(const std::vector<int>& v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

} // namespace

QSizeF mergeMapNaturalSize()
{
    return {2 * kPanel + 3 * kMargin, kCaption + kTitle + kPanel + kLegend + kFooter + 2 * kMargin};
}

MergeMapLayout mergeMapLayout(const QRectF& target)
{
    const QSizeF natural = mergeMapNaturalSize();
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    const QPointF origin = target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2);
    auto rect = [&](double x, double y, double w, double h) { return QRectF(origin + QPointF(x * s, y * s), QSizeF(w * s, h * s)); };
    MergeMapLayout l;
    l.caption = rect(kMargin, kMargin / 2, natural.width() - 2 * kMargin, kCaption);
    const double top = kMargin / 2 + kCaption + kTitle;
    l.left = rect(kMargin, top, kPanel, kPanel);
    l.right = rect(2 * kMargin + kPanel, top, kPanel, kPanel);
    l.legend = rect(kMargin, top + kPanel + 4, natural.width() - 2 * kMargin, kLegend - 4);
    l.footer = rect(kMargin, top + kPanel + kLegend, natural.width() - 2 * kMargin, kFooter);
    return l;
}

MergeMapData mergeMapData(const ToMeResult& result, const MergeMapOptions& options)
{
    const int last = static_cast<int>(result.tokenOfPatch.size()) - 1;
    if (last < 0)
        throw Error("merge map: the result holds no layers");
    const int layer = options.layer < 0 ? last : options.layer;
    if (layer > last)
        throw Error("merge map: layer " + std::to_string(layer) + " is past the last block (" + std::to_string(last) + ")");
    MergeMapData d;
    d.grid = result.grid;
    d.maxLayer = last;
    MergeMapStyle style;
    style.outputSize = options.panelSize;
    style.opacity = options.opacity;
    style.borders = options.borders;
    d.right = qImageFromRgb(renderMergeMap(result.crop, result.grid, result.tokenOfPatch[static_cast<std::size_t>(layer)], style));
    const int tokens = result.tokens[static_cast<std::size_t>(layer)];
    d.rightTitle = layer == 0 ? QObject::tr("Input tokens (%1)").arg(tokens)
                              : QObject::tr("Merged tokens after block %1 of %2: %3 tokens").arg(layer).arg(last).arg(tokens);
    const int patches = result.grid * result.grid;
    if (options.selectedPatch >= 0 && options.selectedPatch < patches) {
        const std::vector<int> joins = joinLayers(result, layer, options.selectedPatch);
        d.left = qImageFromRgb(renderLineage(result.crop, result.grid, joins, std::max(layer, 1), options.panelSize));
        const int holder = result.tokenOfPatch[static_cast<std::size_t>(layer)][static_cast<std::size_t>(options.selectedPatch)];
        const int size = result.sizes[static_cast<std::size_t>(layer)][static_cast<std::size_t>(holder)];
        d.leftTitle = QObject::tr("Lineage of token %1 (size %2, patch %3)").arg(holder).arg(size).arg(options.selectedPatch);
        d.lineage = true;
    } else {
        cv::Mat base;
        d.left = qImageFromRgb(result.crop).scaled(options.panelSize, options.panelSize, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
        d.leftTitle = QObject::tr("Model input (%1 px centre crop)").arg(result.config.imageSize);
    }
    const QString weights = QString::fromStdString(result.weights).startsWith("random(")
                                ? QObject::tr("random weights (seed %1)").arg(QString::fromStdString(result.weights).mid(7).chopped(1))
                                : QObject::tr("checkpoint %1").arg(QFileInfo(QString::fromStdString(result.weights)).fileName());
    d.caption = QObject::tr("%5 on %1, %2 — %3, proportional attention %4")
                    .arg(QString::fromStdString(vitDisplayName(result.config)), weights,
                         QString::fromStdString(result.scheduleText), result.proportionalAttention ? "on" : "off",
                         QString::fromUtf8(reductionMethodTitle(result.method)));
    QString footer = QObject::tr("tokens %1 → %2").arg(result.tokens.front()).arg(result.tokens.back());
    // No timings here: a figure must be reproducible from its recipe (timings are in the data).
    if (result.flopsPlain.matmulTotal() > 0)
        footer += QObject::tr(" · %1 GFLOP with merging, %2 without")
                      .arg(result.flopsMerged.matmulTotal() / 1e9, 0, 'f', 2)
                      .arg(result.flopsPlain.matmulTotal() / 1e9, 0, 'f', 2);
    if (!result.top5.empty())
        footer += QObject::tr(" · top-1: %1 (%2%)").arg(QString::fromStdString(result.top5.front().name)).arg(result.top5.front().probability * 100, 0, 'f', 1);
    d.footer = footer;
    return d;
}

void paintMergeMap(QPainter& painter, const QRectF& target, const MergeMapData& d)
{
    const MergeMapLayout l = mergeMapLayout(target);
    const double s = l.left.width() / kPanel;
    painter.save();
    QFont font = painter.font();
    font.setPixelSize(std::max(6, static_cast<int>(13 * s)));
    painter.setFont(font);
    painter.setPen(figureInk(painter));
    painter.drawText(l.caption, Qt::AlignLeft | Qt::AlignVCenter, d.caption);
    const QRectF leftTitle(l.left.left(), l.left.top() - kTitle * s, l.left.width(), kTitle * s);
    const QRectF rightTitle(l.right.left(), l.right.top() - kTitle * s, l.right.width(), kTitle * s);
    painter.drawText(leftTitle, Qt::AlignLeft | Qt::AlignVCenter, d.leftTitle);
    painter.drawText(rightTitle, Qt::AlignLeft | Qt::AlignVCenter, d.rightTitle);
    painter.drawImage(l.left, d.left);
    painter.drawImage(l.right, d.right);
    painter.setPen(QPen(Qt::gray, 1));
    painter.drawRect(l.left);
    painter.drawRect(l.right);
    if (d.lineage) {
        // Colour scale of the lineage: the block after which each patch joined.
        const QRectF bar(l.legend.left() + 150 * s, l.legend.top() + 4 * s, 200 * s, l.legend.height() - 8 * s);
        QLinearGradient g(bar.topLeft(), bar.topRight());
        for (int i = 0; i <= 10; ++i) {
            const cv::Vec3b c = lineageColour(i, 10);
            g.setColorAt(i / 10.0, QColor(c[0], c[1], c[2]));
        }
        painter.fillRect(bar, g);
        painter.setPen(figureInk(painter));
        painter.drawText(QRectF(l.legend.left(), l.legend.top(), 145 * s, l.legend.height()), Qt::AlignRight | Qt::AlignVCenter,
                         QObject::tr("joined after block 0"));
        painter.drawText(QRectF(bar.right() + 5 * s, l.legend.top(), 200 * s, l.legend.height()), Qt::AlignLeft | Qt::AlignVCenter,
                         QString::number(d.maxLayer));
    }
    painter.setPen(figureSubtleInk(painter));
    painter.drawText(l.footer, Qt::AlignLeft | Qt::AlignVCenter, d.footer);
    painter.restore();
}

MergeMapOptions mergeMapOptions(const ToMeSettings& settings)
{
    MergeMapOptions options;
    options.layer = settings.layer;
    options.opacity = settings.opacity;
    options.borders = settings.borders;
    options.selectedPatch = settings.selectedPatch;
    return options;
}

Figure mergeMapFigure(const ToMeResult& result, const ToMeSettings& settings)
{
    auto data = std::make_shared<MergeMapData>(mergeMapData(result, mergeMapOptions(settings)));
    Figure f;
    f.size = mergeMapNaturalSize();
    f.paint = [data](QPainter& p, const QRectF& r) { paintMergeMap(p, r, *data); };
    f.title = QObject::tr("%1 merged-token map").arg(QString::fromUtf8(reductionMethodTitle(result.method)));
    f.description = data->caption + " — " + data->rightTitle;
    ToMeSettings shown = settings;
    if (shown.layer < 0)
        shown.layer = result.depth();
    if (shown.selectedPatch >= result.grid * result.grid)
        shown.selectedPatch = -1; // not drawn (mergeMapData ignores it)
    setFigureRecipe(f, "tome", toJson(shown), recipeArguments(shown));
    return f;
}

QByteArray toMeResultJson(const ToMeResult& result)
{
    QJsonObject o;
    QJsonArray tokens, source, sizes;
    for (std::size_t k = 1; k < result.tokens.size(); ++k) {
        tokens.append(result.tokens[k]);
        source.append(intArray(result.tokenOfPatch[k]));
        sizes.append(intArray(result.sizes[k]));
    }
    o["tokens_per_layer"] = tokens;
    o["source"] = source;
    o["sizes"] = sizes;
    o["r_per_layer"] = intArray(result.rApplied);
    o["weights"] = QString::fromStdString(result.weights);
    o["model"] = QJsonObject{{"preset", QString::fromStdString(result.config.name)},
                             {"depth", result.config.depth},
                             {"width", result.config.width},
                             {"heads", result.config.heads},
                             {"patch", result.config.patchSize},
                             {"image_size", result.config.imageSize},
                             {"family", QString::fromStdString(result.config.family)},
                             {"format", QString::fromStdString(result.config.format)},
                             {"prefix_tokens", result.config.prefixTokens()},
                             {"registers", result.config.registers},
                             {"classes", result.config.numClasses}};
    QJsonArray output; // logits, or the pooled pre-logits feature of a model without a head
    for (float v : result.output)
        output.append(static_cast<double>(v));
    o["output"] = output;
    o["method"] = QString::fromUtf8(reductionMethodName(result.method));
    o["schedule"] = QString::fromStdString(result.scheduleText);
    o["proportional_attention"] = result.proportionalAttention;
    o["seconds_merged"] = result.secondsMerged;
    if (result.secondsPlain > 0)
        o["seconds_plain"] = result.secondsPlain;
    o["flops_merged"] = result.flopsMerged.matmulTotal();
    if (result.flopsAnalytic > 0)
        o["flops_analytic"] = result.flopsAnalytic;
    if (result.flopsPlain.matmulTotal() > 0)
        o["flops_plain"] = result.flopsPlain.matmulTotal();
    if (!result.top5.empty()) {
        QJsonArray top;
        for (const auto& c : result.top5)
            top.append(QJsonObject{{"index", c.index}, {"name", QString::fromStdString(c.name)}, {"probability", c.probability}});
        o["top5"] = top;
    }
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
