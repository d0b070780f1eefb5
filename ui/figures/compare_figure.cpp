#include "ui/figures/compare_figure.h"

#include "core/render/merge_map.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "core/util/error.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/merge_map_figure.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/rgb_image.h"

#include <QFileInfo>
#include <QFontMetricsF>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace ts {
namespace {

constexpr double kMargin = 12, kLine = 18, kCaptionTop = 6, kPlot = 130, kAxis = 40;
constexpr int kFontPixels = 12;

double panelSide(int panels) { return panels <= 2 ? 260 : panels == 3 ? 210 : 160; }
double mapsTop() { return kCaptionTop + 2 * kLine + kMargin / 2; }
double mapTop() { return mapsTop() + 3 * kLine + 2; }
QRectF mapRect(int panels, int i)
{
    const double side = panelSide(panels);
    return {kMargin + i * (side + kMargin), mapTop(), side, side};
}

QJsonArray intArray(const std::vector<int>& v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

QString weightsText(const std::string& weights)
{
    const QString w = QString::fromStdString(weights);
    return w.startsWith("random(") ? QObject::tr("random weights (seed %1)").arg(w.mid(7).chopped(1))
                                   : QObject::tr("checkpoint %1").arg(QFileInfo(w).fileName());
}

CompareColumn panelOf(const MethodComparison& m, int layer, int selectedPatch, int side)
{
    const ToMeResult& run = m.run;
    CompareColumn p;
    if (selectedPatch >= 0)
        p.map = qImageFromRgb(renderLineage(run.crop, run.grid, joinLayers(run, layer, selectedPatch), lineageJoinColours(layer), side));
    else {
        MergeMapStyle style;
        style.outputSize = side;
        p.map = qImageFromRgb(renderMergeMap(run.crop, run.grid, run.tokenOfPatch[static_cast<std::size_t>(layer)], style));
    }
    p.title = QObject::tr("%1 · %2 GFLOPs").arg(QString::fromUtf8(reductionMethodTitle(m.options.method))).arg(m.budget.flops / 1e9, 0, 'f', 2);
    p.lines[0] = QObject::tr("cosine %1").arg(m.agreement.cosine, 0, 'f', 4);
    if (m.agreement.hasHead) {
        p.lines[0] += QObject::tr(", KL %1").arg(m.agreement.kl, 0, 'g', 2);
        p.lines[1] = m.agreement.top1Same ? QObject::tr("top-1 same") : QObject::tr("top-1 differs");
    }
    p.tokens = run.tokens;
    return p;
}

} // namespace

CompareData compareData(const CompareResult& result, int layer, int selectedPatch)
{
    if (result.methods.empty())
        throw Error("compare figure: no methods");
    CompareData d;
    d.depth = result.plain.depth();
    d.grid = result.plain.grid;
    d.layer = layer < 0 ? d.depth : std::min(layer, d.depth);
    d.lineage = selectedPatch >= 0 && selectedPatch < d.grid * d.grid;
    const MethodComparison& first = result.methods.front();
    d.caption[0] = QObject::tr("%1, %2").arg(QString::fromStdString(vitDisplayName(result.plain.config)), weightsText(result.plain.weights));
    if (d.lineage)
        d.caption[0] += QObject::tr(" · lineage of patch %1: dark (viridis) joined early, bright late").arg(selectedPatch);
    d.caption[1] = QObject::tr("Budget %1 GFLOPs = %2% of %3 (unreduced) · maps after block %4 of %5")
                       .arg(first.budget.target / 1e9, 0, 'f', 2)
                       .arg(100 * first.budget.target / first.budget.plainFlops, 0, 'f', 1)
                       .arg(first.budget.plainFlops / 1e9, 0, 'f', 2)
                       .arg(d.layer)
                       .arg(d.depth);
    const int side = 2 * static_cast<int>(panelSide(static_cast<int>(result.methods.size()))); // sharp when the view enlarges
    for (const MethodComparison& m : result.methods)
        d.panels.push_back(panelOf(m, d.layer, d.lineage ? selectedPatch : -1, side));
    return d;
}

QSizeF compareNaturalSize(int panels)
{
    const int n = std::max(1, panels);
    const double width = std::max(n * panelSide(n) + (n + 1) * kMargin, 560.0);
    return {width, mapTop() + panelSide(n) + kMargin + kPlot + 2 * kLine + kMargin};
}

namespace {

// Tokens per block, one line per method, ticks on both axes and the shown block dashed.
void paintTokenChart(QPainter& painter, const QRectF& plot, const CompareData& d)
{
    int maxTokens = 1;
    for (const CompareColumn& p : d.panels)
        maxTokens = std::max(maxTokens, p.tokens.empty() ? 1 : *std::max_element(p.tokens.begin(), p.tokens.end()));
    const int blocks = std::max(1, d.depth);
    auto at = [&](double block, double tokens) {
        return QPointF(plot.left() + plot.width() * block / blocks, plot.bottom() - plot.height() * tokens / maxTokens);
    };
    const QColor subtle = figureSubtleInk(painter);
    painter.setPen(QPen(subtle, 1));
    painter.drawRect(plot);
    for (int k = 0; k <= 2; ++k) { // y: 0, half, most
        const int v = maxTokens * k / 2;
        const QPointF p = at(0, v);
        painter.drawLine(p, p - QPointF(4, 0));
        painter.drawText(QRectF(p.x() - kAxis, p.y() - kLine / 2, kAxis - 6, kLine), Qt::AlignRight | Qt::AlignVCenter, QString::number(v));
    }
    const int step = blocks <= 12 ? 1 : (blocks + 11) / 12;
    for (int b = 0; b <= blocks; b += step) {
        const QPointF p = at(b, 0);
        painter.drawLine(p, p + QPointF(0, 4));
        painter.drawText(QRectF(p.x() - 15, p.y() + 4, 30, kLine), Qt::AlignCenter, QString::number(b));
    }
    painter.drawText(QRectF(plot.left(), plot.bottom() + 4 + kLine, plot.width(), kLine), Qt::AlignCenter,
                     QObject::tr("tokens after each block (block 0: the input)"));
    painter.setPen(QPen(figureInk(painter), 1, Qt::DashLine));
    painter.drawLine(at(d.layer, 0), at(d.layer, maxTokens));
    // Methods on the same schedule draw the same line: the first is widest, each next one
    // narrower on top, so every colour stays visible.
    const std::size_t n = d.panels.size();
    for (std::size_t i = 0; i < n; ++i) {
        QPainterPath path;
        const auto& t = d.panels[i].tokens;
        for (std::size_t k = 0; k < t.size(); ++k)
            k == 0 ? path.moveTo(at(0, t[0])) : path.lineTo(at(static_cast<double>(k), t[k]));
        painter.setPen(QPen(methodColour(static_cast<int>(i)), 1.5 + 2.0 * static_cast<double>(n - 1 - i), Qt::SolidLine, Qt::FlatCap, Qt::RoundJoin));
        painter.drawPath(path);
    }
}

void drawLine(QPainter& painter, const QRectF& r, const QString& text)
{
    painter.drawText(r, Qt::AlignLeft | Qt::AlignVCenter, QFontMetricsF(painter.font()).elidedText(text, Qt::ElideRight, r.width()));
}

} // namespace

void paintCompare(QPainter& painter, const QRectF& target, const CompareData& d)
{
    const int n = static_cast<int>(d.panels.size());
    const QSizeF natural = compareNaturalSize(n);
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    painter.save();
    painter.translate(target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2));
    painter.scale(s, s);
    QFont font = painter.font();
    font.setPixelSize(kFontPixels);
    painter.setFont(font);
    const QColor ink = figureInk(painter), subtle = figureSubtleInk(painter);
    const double width = natural.width() - 2 * kMargin;
    painter.setPen(ink);
    for (int k = 0; k < 2; ++k)
        drawLine(painter, QRectF(kMargin, kCaptionTop + k * kLine, width, kLine), d.caption[k]);
    for (int i = 0; i < n; ++i) {
        const CompareColumn& p = d.panels[static_cast<std::size_t>(i)];
        const QRectF map = mapRect(n, i);
        const double y = mapsTop();
        painter.fillRect(QRectF(map.left(), y + 4, 10, 10), methodColour(static_cast<int>(i))); // the chart's line colour
        painter.setPen(ink);
        drawLine(painter, QRectF(map.left() + 14, y, map.width() - 14, kLine), p.title);
        painter.setPen(subtle);
        drawLine(painter, QRectF(map.left(), y + kLine, map.width(), kLine), p.lines[0]);
        drawLine(painter, QRectF(map.left(), y + 2 * kLine, map.width(), kLine), p.lines[1]);
        painter.drawImage(map, p.map);
    }
    const double top = mapTop() + panelSide(n) + kMargin;
    paintTokenChart(painter, QRectF(kMargin + kAxis, top, natural.width() - 2 * kMargin - kAxis, kPlot), d);
    painter.restore();
}

int comparePatchAt(const QRectF& target, const CompareData& d, const QPointF& pos)
{
    const int n = static_cast<int>(d.panels.size());
    const QSizeF natural = compareNaturalSize(n);
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    if (s <= 0 || d.grid <= 0)
        return -1;
    const QPointF origin = target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2);
    const QPointF p = (pos - origin) / s;
    for (int i = 0; i < n; ++i) {
        const QRectF map = mapRect(n, i);
        if (!map.contains(p))
            continue;
        const int col = std::clamp(static_cast<int>((p.x() - map.left()) / map.width() * d.grid), 0, d.grid - 1);
        const int row = std::clamp(static_cast<int>((p.y() - map.top()) / map.height() * d.grid), 0, d.grid - 1);
        return row * d.grid + col;
    }
    return -1;
}

Figure compareFigure(const CompareResult& result, const CompareSettings& settings)
{
    auto data = std::make_shared<CompareData>(compareData(result, settings.layer, settings.selectedPatch));
    Figure f;
    f.size = compareNaturalSize(static_cast<int>(data->panels.size()));
    f.paint = [data](QPainter& p, const QRectF& r) { paintCompare(p, r, *data); };
    f.title = QObject::tr("Token reduction at one budget");
    f.description = data->caption[0] + "; " + data->caption[1];
    setFigureRecipe(f, "compare", toJson(settings), recipeArguments(settings));
    return f;
}

namespace {

QJsonObject methodJson(const MethodComparison& m)
{
    QJsonObject agreement{{"cosine", m.agreement.cosine}, {"top1_same", m.agreement.top1Same}};
    if (m.agreement.hasHead)
        agreement["kl"] = m.agreement.kl;
    return QJsonObject{{"gflops", m.budget.flops / 1e9},
                       {"gflops_measured", m.run.flopsMerged.matmulTotal() / 1e9},
                       {"within_1_percent", m.budget.withinTolerance},
                       {"schedule", intArray(m.budget.perLayer)},
                       {"schedule_text", QString::fromStdString(m.run.scheduleText)},
                       {"tokens_per_layer", intArray(std::vector<int>(m.run.tokens.begin() + 1, m.run.tokens.end()))},
                       {"seconds", m.run.secondsMerged},
                       {"proportional_attention", m.run.proportionalAttention},
                       {"agreement", agreement}};
}

} // namespace

QByteArray compareResultJson(const CompareResult& result, const CompareSettings& settings)
{
    QJsonObject byMethod;
    for (const MethodComparison& m : result.methods)
        byMethod[reductionMethodName(m.options.method)] = methodJson(m);
    const double target = result.methods.empty() ? 0 : result.methods.front().budget.target;
    const double plain = result.methods.empty() ? 0 : result.methods.front().budget.plainFlops;
    const QJsonObject o{{"image", QString::fromStdString(settings.image)},
                        {"weights", QString::fromStdString(result.plain.weights)},
                        {"model", QString::fromStdString(result.plain.config.name)},
                        {"gflops_target", target / 1e9},
                        {"gflops_plain", plain / 1e9},
                        {"seconds_plain", result.plain.secondsMerged},
                        {"methods", byMethod}};
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace ts
