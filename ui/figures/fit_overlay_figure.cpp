#include "ui/figures/fit_overlay_figure.h"

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
#include <QPainter>

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ts {
namespace {

constexpr double kMargin = 16, kTitle = 22, kCaption = 22, kFooter = 36; // the footer wraps to two lines

// A perceptually ordered dark-to-bright ramp (close to matplotlib's "inferno").
QColor heatColour(double v)
{
    static const QColor stops[] = {QColor(0, 0, 4), QColor(87, 16, 110), QColor(188, 55, 84), QColor(249, 142, 9),
                                   QColor(252, 255, 164)};
    v = std::clamp(v, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(v));
    const double f = v - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor::fromRgbF(a.redF() + f * (b.redF() - a.redF()), a.greenF() + f * (b.greenF() - a.greenF()),
                            a.blueF() + f * (b.blueF() - a.blueF()));
}

// Rectangle of a patch-grid cell range inside a panel showing the whole grid.
QRectF cellRect(const QRectF& panel, const Grouping& g, int row, int col, int rows, int cols)
{
    const double cw = panel.width() / g.gridCols(), ch = panel.height() / g.gridRows();
    return QRectF(panel.left() + col * cw, panel.top() + row * ch, cols * cw, rows * ch);
}

QRectF groupRectIn(const QRectF& panel, const Grouping& g, int group)
{
    int r, c, h, w;
    g.groupRect(group, &r, &c, &h, &w);
    return cellRect(panel, g, r, c, h, w);
}

void drawGroupLines(QPainter& p, const QRectF& panel, const Grouping& g, double alpha)
{
    p.setPen(QPen(QColor(255, 255, 255, int(255 * alpha)), 1));
    for (int r = g.groupSize(); r < g.gridRows(); r += g.groupSize()) {
        const double y = panel.top() + panel.height() * r / g.gridRows();
        p.drawLine(QPointF(panel.left(), y), QPointF(panel.right(), y));
    }
    for (int c = g.groupSize(); c < g.gridCols(); c += g.groupSize()) {
        const double x = panel.left() + panel.width() * c / g.gridCols();
        p.drawLine(QPointF(x, panel.top()), QPointF(x, panel.bottom()));
    }
}

QJsonArray grid2d(const std::vector<float>& v, int rows, int cols)
{
    QJsonArray out;
    for (int r = 0; r < rows; ++r) {
        QJsonArray row;
        for (int c = 0; c < cols; ++c)
            row.append(double(v[static_cast<std::size_t>(r * cols + c)]));
        out.append(row);
    }
    return out;
}

} // namespace

int defaultFitOverlayBlock(const FitResult& result)
{
    for (int b = static_cast<int>(result.pattern.blocks.size()) - 1; b >= 0; --b)
        if (result.pattern.blocks[static_cast<std::size_t>(b)].global > 0)
            return b;
    return -1;
}

int centreGroup(const Grouping& g) { return g.groupOfPatch((g.gridRows() / 2) * g.gridCols() + g.gridCols() / 2); }

FitOverlayData fitOverlayData(const FitResult& result, const FitOverlayOptions& options)
{
    FitOverlayData d;
    d.grouping = result.grouping;
    d.block = options.block < 0 ? defaultFitOverlayBlock(result) : options.block;
    d.group = options.group < 0 ? centreGroup(result.grouping) : options.group;
    d.latent = options.latent;
    const int blocks = static_cast<int>(result.pattern.blocks.size());
    if (d.block < 0)
        throw Error("FIT overlay: the pattern " + result.pattern.text() + " has no global layers, so no latents read anything");
    if (d.block >= blocks)
        throw Error("FIT overlay: block " + std::to_string(d.block + 1) + " does not exist (" + std::to_string(blocks) + " blocks)");
    if (result.pattern.blocks[static_cast<std::size_t>(d.block)].global == 0)
        throw Error("FIT overlay: block " + std::to_string(d.block + 1) + " has no global layers (its latents read nothing)");
    if (d.group >= result.groups())
        throw Error("FIT overlay: group " + std::to_string(d.group) + " does not exist (" + std::to_string(result.groups()) + " groups)");
    if (d.latent >= result.latentsPerGroup())
        throw Error("FIT overlay: latent " + std::to_string(d.latent) + " does not exist (" + std::to_string(result.latentsPerGroup())
                    + " per group)");
    d.read = fitReadHeatmap(result, d.block, d.group, d.latent);
    d.global = fitGlobalHeatmap(result, d.block, d.group);
    if (d.read.empty() || d.global.empty())
        throw Error("FIT overlay: block " + std::to_string(d.block + 1) + ", group " + std::to_string(d.group) + " was not recorded");
    d.image = qImageFromRgbScaled(result.input, options.panelSize);

    const QString latentText = d.latent < 0 ? QObject::tr("all %1 latents").arg(result.latentsPerGroup()) : QObject::tr("latent %1").arg(d.latent);
    d.leftTitle = QObject::tr("Block %1: group %2 latents read their patches (%3)").arg(d.block + 1).arg(d.group).arg(latentText);
    d.rightTitle = QObject::tr("Block %1 global layers: group %2 → every group").arg(d.block + 1).arg(d.group);
    const FitConfig& c = result.config;
    const QString weights = QString::fromStdString(result.weights);
    d.caption = QObject::tr("FIT %1, g=%2 (%3 groups × %4 tokens), m=%5, width %6/%7%8 — %9")
                    .arg(QString::fromStdString(result.pattern.text()))
                    .arg(c.groupSize)
                    .arg(result.groups())
                    .arg(result.tokensPerGroup())
                    .arg(c.latentsPerGroup)
                    .arg(c.dataWidth)
                    .arg(c.latentWidth)
                    .arg(c.autoregressive ? QObject::tr(", AR") : QString())
                    .arg(weights.startsWith("random(") ? QObject::tr("random weights (seed %1)").arg(weights.mid(7).chopped(1))
                                                       : weights.startsWith("vit:") ? weights : QFileInfo(weights).fileName());
    // No seconds or memory here: they change from run to run, and a recipe's rerun must give the
    // same pixels (they are in the data export and the panel's status).
    d.footer = QObject::tr("%1 × %2 patches%3")
                   .arg(result.grouping.gridCols())
                   .arg(result.grouping.gridRows())
                   .arg(result.grouping.padded() ? QObject::tr(", padded to %1 × %2 (padding masked)").arg(result.grouping.paddedCols()).arg(result.grouping.paddedRows())
                                                 : QString());
    return d;
}

QSizeF fitOverlayNaturalSize(const QSizeF& imageSize)
{
    const double panel = 448;
    const double aspect = imageSize.isEmpty() ? 1.0 : imageSize.height() / imageSize.width();
    return {2 * panel + 3 * kMargin, kMargin / 2 + kCaption + kTitle + panel * aspect + kFooter + kMargin};
}

FitOverlayLayout fitOverlayLayout(const QRectF& target, const QSizeF& imageSize)
{
    const QSizeF natural = fitOverlayNaturalSize(imageSize);
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    const QPointF origin = target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2);
    auto rect = [&](double x, double y, double w, double h) { return QRectF(origin + QPointF(x * s, y * s), QSizeF(w * s, h * s)); };
    const double panelH = natural.height() - (kMargin / 2 + kCaption + kTitle + kFooter + kMargin);
    FitOverlayLayout l;
    l.caption = rect(kMargin, kMargin / 2, natural.width() - 2 * kMargin, kCaption);
    const double top = kMargin / 2 + kCaption + kTitle;
    l.left = rect(kMargin, top, 448, panelH);
    l.right = rect(2 * kMargin + 448, top, 448, panelH);
    l.footer = rect(kMargin, top + panelH + 2, natural.width() - 2 * kMargin, kFooter);
    return l;
}

int fitGroupAt(const FitOverlayLayout& layout, const Grouping& g, const QPointF& point)
{
    for (const QRectF& panel : {layout.left, layout.right}) {
        if (!panel.contains(point) || g.gridRows() == 0)
            continue;
        const int col = std::clamp(int((point.x() - panel.left()) / panel.width() * g.gridCols()), 0, g.gridCols() - 1);
        const int row = std::clamp(int((point.y() - panel.top()) / panel.height() * g.gridRows()), 0, g.gridRows() - 1);
        return g.groupOfPatch(row * g.gridCols() + col);
    }
    return -1;
}

void paintFitGrouping(QPainter& p, const QRectF& panel, const QImage& image, const Grouping& g, int selectedGroup)
{
    p.save();
    p.drawImage(panel, image);
    if (g.gridRows() > 0) {
        drawGroupLines(p, panel, g, 0.7);
        if (selectedGroup >= 0 && selectedGroup < g.groups()) {
            p.setPen(QPen(QColor(0, 200, 255), 2));
            p.setBrush(Qt::NoBrush);
            p.drawRect(groupRectIn(panel, g, selectedGroup));
        }
    }
    p.setPen(QPen(Qt::gray, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(panel);
    p.restore();
}

void paintFitOverlay(QPainter& p, const QRectF& target, const FitOverlayData& d)
{
    const FitOverlayLayout l = fitOverlayLayout(target, d.image.size());
    const double s = l.left.width() / 448;
    const Grouping& g = d.grouping;
    p.save();
    QFont font = p.font();
    font.setPixelSize(std::max(6, static_cast<int>(13 * s)));
    p.setFont(font);
    p.setPen(figureInk(p));
    p.drawText(l.caption, Qt::AlignLeft | Qt::AlignVCenter, d.caption);
    p.drawText(QRectF(l.left.left(), l.left.top() - kTitle * s, l.left.width(), kTitle * s), Qt::AlignLeft | Qt::AlignVCenter, d.leftTitle);
    p.drawText(QRectF(l.right.left(), l.right.top() - kTitle * s, l.right.width(), kTitle * s), Qt::AlignLeft | Qt::AlignVCenter,
               d.rightTitle);

    // Left: the image dimmed, the chosen window's patches coloured by read weight (max = brightest).
    p.drawImage(l.left, d.image);
    p.fillRect(l.left, QColor(0, 0, 0, 110));
    int r0, c0, rows, cols;
    g.groupRect(d.group, &r0, &c0, &rows, &cols);
    // Colours span each map's own min..max (stated in the footer): near-uniform weights, as random
    // weights give, would otherwise all look alike.
    const auto [readMinIt, readMaxIt] = std::minmax_element(d.read.begin(), d.read.end());
    const float readMin = *readMinIt, readMax = *readMaxIt;
    auto scaled = [](float v, float lo, float hi) { return hi > lo ? (v - lo) / (hi - lo) : 1.0; };
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            QColor colour = heatColour(scaled(d.read[static_cast<std::size_t>(r * cols + c)], readMin, readMax));
            colour.setAlpha(190);
            p.fillRect(cellRect(l.left, g, r0 + r, c0 + c, 1, 1), colour);
        }
    drawGroupLines(p, l.left, g, 0.35);
    p.setPen(QPen(QColor(0, 200, 255), std::max(1.0, 2 * s)));
    p.drawRect(groupRectIn(l.left, g, d.group));

    // Right: every group coloured by the chosen group's global attention to it.
    p.drawImage(l.right, d.image);
    const auto [globalMinIt, globalMaxIt] = std::minmax_element(d.global.begin(), d.global.end());
    const float globalMin = *globalMinIt, globalMax = *globalMaxIt;
    for (int j = 0; j < g.groups(); ++j) {
        QColor colour = heatColour(scaled(d.global[static_cast<std::size_t>(j)], globalMin, globalMax));
        colour.setAlpha(170);
        p.fillRect(groupRectIn(l.right, g, j), colour);
    }
    p.setPen(QPen(QColor(0, 200, 255), std::max(1.0, 2 * s)));
    p.drawRect(groupRectIn(l.right, g, d.group));
    p.setPen(QPen(Qt::gray, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(l.left);
    p.drawRect(l.right);
    p.setPen(figureSubtleInk(p));
    p.drawText(l.footer, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
               d.footer + QObject::tr(" · colour min→max: read %1–%2, global %3–%4")
                              .arg(readMin, 0, 'g', 3)
                              .arg(readMax, 0, 'g', 3)
                              .arg(globalMin, 0, 'g', 3)
                              .arg(globalMax, 0, 'g', 3));
    p.restore();
}

FitOverlayOptions fitOverlayOptions(const FitSettings& settings)
{
    FitOverlayOptions options;
    options.block = settings.block;
    options.group = settings.group;
    options.latent = settings.latent;
    return options;
}

Figure fitOverlayFigure(const FitResult& result, const FitSettings& settings)
{
    auto data = std::make_shared<FitOverlayData>(fitOverlayData(result, fitOverlayOptions(settings)));
    Figure f;
    f.size = fitOverlayNaturalSize(data->image.size());
    f.paint = [data](QPainter& p, const QRectF& r) { paintFitOverlay(p, r, *data); };
    f.title = QObject::tr("FIT latent-token attention");
    f.description = data->caption + " — " + data->leftTitle;
    FitSettings shown = settings;
    shown.block = data->block;
    shown.group = data->group;
    shown.latent = data->latent;
    setFigureRecipe(f, "fit", toJson(shown), recipeArguments(shown));
    return f;
}

QByteArray fitResultJson(const FitResult& result, const FitOverlayOptions& options)
{
    QJsonObject o;
    o["groups"] = result.groups();
    o["tokens_per_group"] = result.tokensPerGroup();
    o["latents_per_group"] = result.latentsPerGroup();
    QJsonArray kinds;
    for (const auto& k : result.layerKinds)
        kinds.append(QString::fromStdString(k));
    o["pattern"] = kinds;
    o["pattern_text"] = QString::fromStdString(result.pattern.text());
    o["peak_memory_bytes"] = double(result.peakMemoryBytes);
    o["estimated_memory_bytes"] = double(result.estimatedMemoryBytes);
    o["seconds"] = result.seconds;
    o["weights"] = QString::fromStdString(result.weights);
    auto triple = [](const float (&v)[3]) { return QJsonArray{v[0], v[1], v[2]}; };
    o["normalisation"] = QJsonObject{{"mean", triple(result.normalisation.mean)}, {"std", triple(result.normalisation.std)},
                                     {"origin", QString::fromStdString(result.normalisationOrigin)}};
    const Grouping& g = result.grouping;
    o["grid"] = QJsonObject{{"rows", g.gridRows()}, {"cols", g.gridCols()}, {"group_rows", g.groupRows()},
                            {"group_cols", g.groupCols()}, {"padding_slots", g.paddingSlots()}};
    const FitOverlayData d = fitOverlayData(result, options);
    int r0, c0, rows, cols;
    g.groupRect(d.group, &r0, &c0, &rows, &cols);
    QJsonObject overlay{{"kind", d.latent < 0 ? "group" : "latent"}, {"block", d.block + 1}, {"group", d.group}, {"latent", d.latent},
                        {"window", QJsonObject{{"row", r0}, {"col", c0}, {"rows", rows}, {"cols", cols}}}};
    // Read weights over the window's patches (mean over heads; over latents for "group").
    overlay["read_weights"] = grid2d(d.read, rows, cols);
    if (d.latent < 0) {
        QJsonArray perLatent;
        for (int s = 0; s < result.latentsPerGroup(); ++s)
            perLatent.append(grid2d(fitReadHeatmap(result, d.block, d.group, s), rows, cols));
        overlay["read_weights_per_latent"] = perLatent;
    }
    // Group-level global attention of this group's latents, laid out as the grid of groups.
    overlay["global_weights"] = grid2d(d.global, g.groupRows(), g.groupCols());
    o["overlay"] = overlay;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
