#include "ui/figures/compare_figure.h"

#include "core/render/merge_map.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "core/util/error.h"
#include "ui/figures/figure_colours.h"
#include "ui/figures/merge_map_figure.h"
#include "ui/figures/figure_recipe.h"
#include "ui/figures/figure_layout.h"
#include "ui/figures/token_count_plot.h"
#include "ui/figures/rgb_image.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace ts {
namespace {

// The chart's data area: this share of the height the chart's text leaves, within bounds.
constexpr double kChartShare = 0.3, kChartMin = 90, kChartMax = 240;

double naturalMapSide(int panels) { return panels <= 2 ? 260 : panels == 3 ? 210 : 170; }

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
    p.method = QString::fromUtf8(reductionMethodTitle(m.options.method));
    p.title = QObject::tr("%1 · %2 GFLOPs").arg(p.method).arg(m.budget.flops / 1e9, 0, 'f', 2);
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
    const int side = 2 * static_cast<int>(naturalMapSide(static_cast<int>(result.methods.size()))); // sharp when the view enlarges
    for (const MethodComparison& m : result.methods)
        d.panels.push_back(panelOf(m, d.layer, d.lineage ? selectedPatch : -1, side));
    return d;
}

namespace {

int maxTokensOf(const CompareData& d)
{
    int most = 1;
    for (const CompareColumn& p : d.panels)
        for (int t : p.tokens)
            most = std::max(most, t);
    return most;
}

// Dash patterns that stay apart where lines overlap, and in greyscale print.
Qt::PenStyle methodPen(int i)
{
    static const Qt::PenStyle pens[] = {Qt::SolidLine, Qt::DashLine, Qt::DashDotLine, Qt::DashDotDotLine};
    return pens[((i % 4) + 4) % 4];
}

// The shown block's marker: a grey readable on white and on a dark palette, dotted (no method's).
QColor shownBlockColour() { return QColor(140, 140, 140); }

FigureSpec mapsSpec(const CompareData& d)
{
    FigureSpec s;
    for (const CompareColumn& c : d.panels) {
        PanelSpec p;
        p.title = c.title;
        p.aspect = 1;
        for (const QString& line : c.lines)
            if (!line.isEmpty())
                p.statistics << line;
        s.panels.push_back(p);
    }
    return s;
}

FigureSpec chartSpec(const CompareData& d)
{
    FigureSpec s;
    PanelSpec p;
    p.title = QObject::tr("Tokens after each block (block 0: the input)");
    p.xTitle = QObject::tr("block");
    p.yTitle = QObject::tr("tokens");
    p.xTickLabels = QStringList{QStringLiteral("0"), QString::number(std::max(1, d.depth))};
    p.yTickLabels = QStringList{QStringLiteral("0"), QString::number(maxTokensOf(d))};
    s.panels.push_back(p);
    for (std::size_t i = 0; i < d.panels.size(); ++i)
        s.legend.push_back({d.panels[i].method, methodColour(int(i)), LegendEntry::Swatch::Line, methodPen(int(i))});
    s.legend.push_back({QObject::tr("block shown (%1)").arg(d.layer), shownBlockColour(), LegendEntry::Swatch::Line, Qt::DotLine});
    for (const QString& line : d.caption)
        if (!line.isEmpty())
            s.caption << line;
    return s;
}

// The height of the chart's text (title, ticks, axis titles, legend, caption, margins) at `width`:
// laid out once in a tall target, less the data area it got.
double chartTextHeight(const FigureSpec& chart, double width)
{
    constexpr double probe = 2000;
    return probe - layoutFigure(chart, QRectF(0, 0, width, probe)).panels.front().data.height();
}

// The height the laid-out maps take (their panels and margins), wherever the layout centred them.
double mapsUsedHeight(const FigureBoxes& b, const FigureSpec& s)
{
    double top = b.figure.bottom(), bottom = b.figure.top();
    for (const PanelBoxes& p : b.panels) {
        top = std::min(top, p.frame.top());
        bottom = std::max(bottom, p.frame.bottom());
    }
    return bottom - top + 2 * s.margin;
}

struct CompareLayout {
    FigureSpec maps, chart;
    FigureBoxes mapBoxes, chartBoxes;
};

CompareLayout layoutCompare(const CompareData& d, const QRectF& target)
{
    CompareLayout l{mapsSpec(d), chartSpec(d), {}, {}};
    const double chartText = chartTextHeight(l.chart, target.width());
    const double chartData = std::clamp(kChartShare * (target.height() - chartText), kChartMin, kChartMax);
    QRectF mapsArea(target.left(), target.top(), target.width(), std::max(1.0, target.height() - chartText - chartData));
    l.mapBoxes = layoutFigure(l.maps, mapsArea);
    // Maps limited by the width leave height over: lay them out in what they use (a pixel of
    // slack for rounding) and give the rest to the chart.
    const double used = std::ceil(mapsUsedHeight(l.mapBoxes, l.maps)) + 1;
    if (used < mapsArea.height()) {
        mapsArea.setHeight(used);
        l.mapBoxes = layoutFigure(l.maps, mapsArea);
    }
    l.chartBoxes = layoutFigure(l.chart, QRectF(target.left(), mapsArea.bottom(), target.width(), target.bottom() - mapsArea.bottom()));
    return l;
}

// Tokens per block, one line per method, round ticks on both axes and the shown block dotted.
void paintTokenChart(QPainter& p, const PanelBoxes& panel, const CompareData& d)
{
    const QRectF& data = panel.data;
    const int maxTokens = maxTokensOf(d), blocks = std::max(1, d.depth);
    const double top = 1.05 * maxTokens; // the highest line clear of the frame
    auto at = [&](double block, double tokens) {
        return QPointF(data.left() + data.width() * block / blocks, data.bottom() - data.height() * tokens / top);
    };
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    const std::vector<double> yTicks = roundTicks(0, maxTokens, ticksThatFit(data.height(), tickLabelHeight()));
    p.setPen(QPen(figurePanelFill(p, 225), 1));
    for (double t : yTicks) // light grid at the y ticks
        p.drawLine(at(0, t), at(blocks, t));
    p.setPen(QPen(figureInk(p), 1));
    p.drawLine(data.bottomLeft(), data.bottomRight());
    p.drawLine(data.bottomLeft(), data.topLeft());
    for (int b : tokenPlotBlockTicks(blocks, data.width()))
        paintXTick(p, panel, at(b, 0).x(), QString::number(b));
    for (double t : yTicks)
        paintYTick(p, panel, at(0, t).y(), QString::number(t));
    p.setPen(QPen(shownBlockColour(), 1.5, Qt::DotLine));
    p.drawLine(at(std::clamp(d.layer, 0, blocks), 0), at(std::clamp(d.layer, 0, blocks), top));
    // Methods on the same schedule draw the same line: the first is widest, each next one
    // narrower on top, so every colour stays visible.
    const std::size_t n = d.panels.size();
    for (std::size_t i = 0; i < n; ++i) {
        QPainterPath path;
        const auto& t = d.panels[i].tokens;
        for (std::size_t k = 0; k < t.size(); ++k)
            k == 0 ? path.moveTo(at(0, t[0])) : path.lineTo(at(double(k), t[k]));
        p.setPen(QPen(methodColour(int(i)), 1.5 + 1.5 * double(n - 1 - i), methodPen(int(i)), Qt::FlatCap, Qt::RoundJoin));
        p.drawPath(path);
    }
    p.restore();
}

} // namespace

QSizeF compareNaturalSize(const CompareData& d)
{
    const double side = naturalMapSide(std::max(1, static_cast<int>(d.panels.size())));
    const FigureSpec maps = mapsSpec(d);
    const QSizeF mapsSize = figureSizeFor(maps, QSizeF(side, side));
    const double width = std::max(mapsSize.width(), 560.0);
    // The maps' height at this width, and a chart whose data is kChartShare of the two together
    // (what layoutCompare gives this size back).
    const double mapsHeight = std::ceil(mapsUsedHeight(layoutFigure(maps, QRectF(0, 0, width, mapsSize.height())), maps)) + 1;
    const double chartData = std::clamp(kChartShare * mapsHeight / (1 - kChartShare), kChartMin, kChartMax);
    return {std::ceil(width), std::ceil(mapsHeight + chartTextHeight(chartSpec(d), width) + chartData)};
}

void paintCompare(QPainter& painter, const QRectF& target, const CompareData& d)
{
    const CompareLayout l = layoutCompare(d, target);
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    for (std::size_t i = 0; i < d.panels.size() && i < l.mapBoxes.panels.size(); ++i) {
        const QRectF map = l.mapBoxes.panels[i].data;
        painter.drawImage(map, d.panels[i].map);
        // Outlined in its line's colour, just outside the map (clear of the title and statistics).
        painter.setPen(QPen(methodColour(int(i)), 2));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(map.adjusted(-1, -1, 1, 1));
    }
    paintFigureFrame(painter, l.mapBoxes, l.maps);
    paintTokenChart(painter, l.chartBoxes.panels.front(), d);
    paintFigureFrame(painter, l.chartBoxes, l.chart);
    painter.restore();
}

std::vector<QRectF> compareMapRects(const QRectF& target, const CompareData& d)
{
    std::vector<QRectF> out;
    for (const PanelBoxes& p : layoutCompare(d, target).mapBoxes.panels)
        out.push_back(p.data);
    return out;
}

int comparePatchAt(const QRectF& target, const CompareData& d, const QPointF& pos)
{
    if (d.grid <= 0 || target.isEmpty())
        return -1;
    for (const QRectF& map : compareMapRects(target, d)) {
        if (!map.contains(pos))
            continue;
        const int col = std::clamp(static_cast<int>((pos.x() - map.left()) / map.width() * d.grid), 0, d.grid - 1);
        const int row = std::clamp(static_cast<int>((pos.y() - map.top()) / map.height() * d.grid), 0, d.grid - 1);
        return row * d.grid + col;
    }
    return -1;
}

Figure compareFigure(const CompareResult& result, const CompareSettings& settings)
{
    auto data = std::make_shared<CompareData>(compareData(result, settings.layer, settings.selectedPatch));
    Figure f;
    f.size = compareNaturalSize(*data);
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
