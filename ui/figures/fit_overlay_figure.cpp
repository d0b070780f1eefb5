#include "ui/figures/fit_overlay_figure.h"

#include "core/util/error.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/rgb_image.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/figure_record.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>

#include <algorithm>

namespace ts {
namespace {

constexpr double kPanel = 448; // a panel's side at the natural size

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

// The selected group: a light line over a dark one, visible on every colour of the map.
void outlineGroup(QPainter& p, const QRectF& rect)
{
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(Qt::black, 4));
    p.drawRect(rect);
    p.setPen(QPen(QColor(0, 220, 255), 2));
    p.drawRect(rect);
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

// Uniform attention over the keys a map's queries see: every key they see gets a positive weight
// (a softmax), masked ones (padding, FIT-AR's later groups) exactly 0.
int visibleKeys(const std::vector<float>& map)
{
    return static_cast<int>(std::count_if(map.begin(), map.end(), [](float v) { return v > 0; }));
}

ColourBar mapBar(const std::vector<float>& map, bool fixed, double fixedHi)
{
    const auto [lo, hi] = std::minmax_element(map.begin(), map.end());
    const int n = std::max(1, visibleKeys(map));
    return colourBarFor(fixed ? 0.0 : double(*lo), fixed ? fixedHi : double(*hi), 1.0 / n, QObject::tr("1/%1 uniform").arg(n));
}

QString weightsText(const std::string& weights)
{
    const QString w = QString::fromStdString(weights);
    if (w.startsWith("random("))
        return QObject::tr("random weights (seed %1)").arg(w.mid(7).chopped(1));
    return w.startsWith("vit:") ? w : QFileInfo(w).fileName();
}

QString captionOf(const FitResult& result)
{
    const FitConfig& c = result.config;
    return QObject::tr("FIT %1, g = %2 (%3 groups × %4 tokens), m = %5 latents, width %6/%7%8, %9")
        .arg(QString::fromStdString(result.pattern.text()))
        .arg(c.groupSize)
        .arg(result.groups())
        .arg(result.tokensPerGroup())
        .arg(c.latentsPerGroup)
        .arg(c.dataWidth)
        .arg(c.latentWidth)
        .arg(c.autoregressive ? QObject::tr(", FIT-AR") : QString())
        .arg(weightsText(result.weights));
}

// The input's size, stated once (the FIT tab's own input size; the ViT labs' is another).
QString inputText(const Grouping& g, int patchSize)
{
    QString text = QObject::tr("Input %1 × %2 px: %3 × %4 patches of %5 px")
                       .arg(g.gridCols() * patchSize)
                       .arg(g.gridRows() * patchSize)
                       .arg(g.gridCols())
                       .arg(g.gridRows())
                       .arg(patchSize);
    if (g.padded())
        text += QObject::tr(", padded to %1 × %2 (padding masked out of attention)").arg(g.paddedCols()).arg(g.paddedRows());
    return text;
}

void setTexts(FitOverlayData& d, const FitResult& result, bool fixed)
{
    const QString latentText = d.latent < 0 ? QObject::tr("all %1 latents").arg(result.latentsPerGroup()) : QObject::tr("latent %1").arg(d.latent);
    // The title stays one short line; the configuration goes to the caption, which wraps.
    d.caption = QObject::tr("FIT block %1: where group %2's latents look").arg(d.block + 1).arg(d.group);
    d.leftTitle = QObject::tr("Read: %1 → the group's patches").arg(latentText);
    d.rightTitle = QObject::tr("Global layers: group %1 → every group").arg(d.group);
    d.leftStatistics << QObject::tr("Cross-attention over the group's %1 patches, mean over heads").arg(d.read.size());
    d.rightStatistics << QObject::tr("Attention to each of the %1 groups' latents, summed per group").arg(result.groups());
    d.footer << captionOf(result);
    d.footer << inputText(result.grouping, result.config.patchSize);
    d.footer << (fixed ? QObject::tr("Colours (viridis) span 0 to this group's largest weight over every block (fixed, so blocks compare); "
                                     "the line on each bar is uniform attention 1/n over the keys the latents see.")
                       : QObject::tr("Colours (viridis) span each map's own range (data); the line on each bar is uniform attention 1/n "
                                     "over the keys the latents see."));
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

std::pair<double, double> fitFixedRanges(const FitResult& result, int group, int latent)
{
    double read = 0, global = 0;
    for (int b = 0; b < static_cast<int>(result.pattern.blocks.size()); ++b) {
        if (result.pattern.blocks[static_cast<std::size_t>(b)].global == 0)
            continue;
        for (float v : fitReadHeatmap(result, b, group, latent))
            read = std::max(read, double(v));
        for (float v : fitGlobalHeatmap(result, b, group))
            global = std::max(global, double(v));
    }
    return {read, global};
}

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
    const bool fixed = options.range == FitSettings::Range::Fixed;
    const auto [readHi, globalHi] = fitFixedRanges(result, d.group, d.latent);
    d.readBar = mapBar(d.read, fixed, readHi);
    d.globalBar = mapBar(d.global, fixed, globalHi);
    // No seconds or memory here: they change from run to run, and a recipe's rerun must give the
    // same pixels (they are in the data export and the panel's status).
    setTexts(d, result, fixed);
    return d;
}

FitOverlayData fitPreviewData(const QImage& image, const Grouping& grouping, int selectedGroup, const QString& message)
{
    FitOverlayData d;
    d.image = image;
    d.grouping = grouping;
    d.group = selectedGroup;
    d.leftTitle = QObject::tr("Groups of %1 × %1 patches").arg(grouping.groupSize());
    d.rightTitle = QObject::tr("Global attention");
    d.rightMessage = message;
    return d;
}

FigureSpec fitOverlaySpec(const FitOverlayData& d)
{
    FigureSpec spec;
    spec.title = d.caption;
    const double aspect = d.image.isNull() || d.image.height() == 0 ? 1.0 : double(d.image.width()) / d.image.height();
    PanelSpec left, right;
    left.title = d.leftTitle;
    right.title = d.rightTitle;
    left.aspect = right.aspect = aspect;
    left.statistics = d.leftStatistics;
    right.statistics = d.rightStatistics;
    if (!d.read.empty()) {
        left.colourBar = d.readBar;
        right.colourBar = d.globalBar;
    }
    spec.panels = {left, right};
    spec.caption = d.footer;
    return spec;
}

QSizeF fitOverlayNaturalSize(const FitOverlayData& d)
{
    const double aspect = d.image.isNull() || d.image.height() == 0 ? 1.0 : double(d.image.width()) / d.image.height();
    return figureSizeFor(fitOverlaySpec(d), QSizeF(kPanel, kPanel / aspect));
}

FitOverlayLayout fitOverlayLayout(const QRectF& target, const FitOverlayData& d)
{
    const FigureBoxes boxes = layoutFigure(fitOverlaySpec(d), target);
    FitOverlayLayout l;
    l.left = boxes.panels.at(0).data;
    l.right = boxes.panels.at(1).data;
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

namespace {

// The image with the windows drawn and the selected group outlined (a preview's left panel).
void paintGrouping(QPainter& p, const QRectF& panel, const FitOverlayData& d)
{
    p.drawImage(panel, d.image);
    const Grouping& g = d.grouping;
    if (g.gridRows() == 0)
        return;
    drawGroupLines(p, panel, g, 0.7);
    if (d.group >= 0 && d.group < g.groups())
        outlineGroup(p, groupRectIn(panel, g, d.group));
}

// Left: the image dimmed, the chosen window's patches in the read weights' colours.
void paintRead(QPainter& p, const QRectF& panel, const FitOverlayData& d)
{
    const Grouping& g = d.grouping;
    p.drawImage(panel, d.image);
    p.fillRect(panel, QColor(0, 0, 0, 120));
    int r0, c0, rows, cols;
    g.groupRect(d.group, &r0, &c0, &rows, &cols);
    p.setRenderHint(QPainter::Antialiasing, false); // abutting cells without seams
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            p.fillRect(cellRect(panel, g, r0 + r, c0 + c, 1, 1), colourBarColour(d.readBar, d.read[static_cast<std::size_t>(r * cols + c)]));
    p.setRenderHint(QPainter::Antialiasing, true);
    drawGroupLines(p, panel, g, 0.35);
    outlineGroup(p, groupRectIn(panel, g, d.group));
}

// Right: every group in the colour of the chosen group's global attention to it.
void paintGlobal(QPainter& p, const QRectF& panel, const FitOverlayData& d)
{
    const Grouping& g = d.grouping;
    p.setRenderHint(QPainter::Antialiasing, false);
    for (int j = 0; j < g.groups(); ++j)
        p.fillRect(groupRectIn(panel, g, j), colourBarColour(d.globalBar, d.global[static_cast<std::size_t>(j)]));
    p.setRenderHint(QPainter::Antialiasing, true);
    drawGroupLines(p, panel, g, 0.35);
    outlineGroup(p, groupRectIn(panel, g, d.group));
}

} // namespace

void paintFitOverlay(QPainter& p, const QRectF& target, const FitOverlayData& d)
{
    const FigureSpec spec = fitOverlaySpec(d);
    const FigureBoxes boxes = layoutFigure(spec, target);
    const QRectF left = boxes.panels.at(0).data, right = boxes.panels.at(1).data;
    p.save();
    p.setRenderHint(QPainter::SmoothPixmapTransform);
    recordFigureBox(p, left, PlacedKind::Data, QStringLiteral("read map"));
    recordFigureBox(p, right, PlacedKind::Data, QStringLiteral("global map"));
    if (d.read.empty()) {
        paintGrouping(p, left, d);
        p.setPen(QPen(Qt::gray, 1));
        p.drawRect(right);
        drawFigureText(p, right.adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, d.rightMessage, TextRole::Annotation);
    } else {
        paintRead(p, left, d);
        paintGlobal(p, right, d);
    }
    p.setPen(QPen(Qt::gray, 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(left);
    p.drawRect(right);
    paintFigureFrame(p, boxes, spec);
    p.restore();
}

FitOverlayOptions fitOverlayOptions(const FitSettings& settings)
{
    FitOverlayOptions options;
    options.block = settings.block;
    options.group = settings.group;
    options.latent = settings.latent;
    options.range = settings.range;
    return options;
}

Figure fitOverlayFigure(const FitResult& result, const FitSettings& settings)
{
    auto data = std::make_shared<FitOverlayData>(fitOverlayData(result, fitOverlayOptions(settings)));
    Figure f;
    f.size = fitOverlayNaturalSize(*data);
    f.paint = [data](QPainter& p, const QRectF& r) { paintFitOverlay(p, r, *data); };
    f.title = QObject::tr("FIT latent-token attention");
    f.description = data->caption + " — " + data->footer.join(" — ");
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
    // The colour bars' ranges as drawn, and uniform attention over the keys seen.
    auto bar = [](const ColourBar& b) { return QJsonObject{{"lo", b.lo}, {"hi", b.hi}, {"uniform", b.reference}}; };
    overlay["colour_range"] = options.range == FitSettings::Range::Fixed ? "fixed" : "data";
    overlay["read_colour_bar"] = bar(d.readBar);
    overlay["global_colour_bar"] = bar(d.globalBar);
    o["overlay"] = overlay;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
