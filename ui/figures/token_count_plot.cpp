#include "ui/figures/token_count_plot.h"

#include "ui/figures/figure_colours.h"

#include <QObject>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ts {
namespace {

// The y axis runs from 0 to a little above the input count (room for the block marker).
double axisTop(const TokenCountPlot& p) { return 1.08 * std::max(1, p.tokens.empty() ? 1 : p.tokens.front()); }

int depthOf(const TokenCountPlot& p) { return std::max(1, static_cast<int>(p.tokens.size()) - 1); }

QPointF pointAt(const QRectF& data, const TokenCountPlot& p, double block, double tokens)
{
    return {data.left() + data.width() * block / depthOf(p), data.bottom() - data.height() * tokens / axisTop(p)};
}

} // namespace

QColor tokenPlotSeriesColour() { return QColor(31, 119, 180); }
QColor tokenPlotPlainColour() { return QColor(128, 128, 128); }
QColor tokenPlotCurrentColour() { return QColor(230, 110, 0); }

std::vector<int> tokenPlotBlockTicks(int depth, double width)
{
    const int fit = ticksThatFit(width, tickLabelWidth(QString::number(depth)));
    int step = 1;
    while (depth / step + 1 > fit)
        step = step < 2 ? 2 : step < 3 ? 3 : step < 4 ? 4 : step < 6 ? 6 : 2 * step;
    std::vector<int> out;
    for (int b = 0; b <= depth; b += step)
        out.push_back(b);
    return out;
}

std::vector<double> tokenPlotTokenTicks(int maxTokens, double height)
{
    return roundTicks(0, std::max(1, maxTokens), ticksThatFit(height, tickLabelHeight()));
}

PanelSpec tokenCountPanel(const TokenCountPlot& plot)
{
    PanelSpec s;
    s.title = QObject::tr("Tokens per block");
    s.xTitle = QObject::tr("after block (0: input)");
    s.yTitle = QObject::tr("tokens");
    // The widest labels the axes can show (their space is reserved before the ticks are chosen).
    s.xTickLabels = QStringList{QStringLiteral("0"), QString::number(depthOf(plot))};
    s.yTickLabels = QStringList{QStringLiteral("0"), QString::number(plot.tokens.empty() ? 1 : plot.tokens.front())};
    s.aspect = 1;
    return s;
}

std::vector<LegendEntry> tokenCountLegend(const QString& methodTitle)
{
    return {{QObject::tr("tokens with %1").arg(methodTitle), tokenPlotSeriesColour(), LegendEntry::Swatch::Line, Qt::SolidLine},
            {QObject::tr("without merging"), tokenPlotPlainColour(), LegendEntry::Swatch::Line, Qt::DashLine},
            {QObject::tr("block shown"), tokenPlotCurrentColour(), LegendEntry::Swatch::Line, Qt::DotLine}};
}

void paintTokenCountPlot(QPainter& p, const PanelBoxes& panel, const TokenCountPlot& plot)
{
    if (plot.tokens.empty())
        return;
    const QRectF& data = panel.data;
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    const QColor ink = figureInk(p);
    const std::vector<double> yTicks = tokenPlotTokenTicks(plot.tokens.front(), data.height());
    p.setPen(QPen(figurePanelFill(p, 225), 1));
    for (double t : yTicks) // light grid at the y ticks
        p.drawLine(pointAt(data, plot, 0, t), pointAt(data, plot, depthOf(plot), t));
    p.setPen(QPen(ink, 1));
    p.drawLine(data.bottomLeft(), data.bottomRight());
    p.drawLine(data.bottomLeft(), data.topLeft());
    for (int b : tokenPlotBlockTicks(depthOf(plot), data.width()))
        paintXTick(p, panel, pointAt(data, plot, b, 0).x(), QString::number(b));
    for (double t : yTicks)
        paintYTick(p, panel, pointAt(data, plot, 0, t).y(), QString::number(t));
    // Without merging: the input count at every block.
    p.setPen(QPen(tokenPlotPlainColour(), 1.5, Qt::DashLine));
    p.drawLine(pointAt(data, plot, 0, plot.tokens.front()), pointAt(data, plot, depthOf(plot), plot.tokens.front()));
    QPainterPath line;
    for (std::size_t k = 0; k < plot.tokens.size(); ++k) {
        const QPointF pt = pointAt(data, plot, double(k), plot.tokens[k]);
        k == 0 ? line.moveTo(pt) : line.lineTo(pt);
    }
    p.setPen(QPen(tokenPlotSeriesColour(), 2));
    p.drawPath(line);
    p.setBrush(tokenPlotSeriesColour());
    for (std::size_t k = 0; k < plot.tokens.size(); ++k)
        p.drawEllipse(pointAt(data, plot, double(k), plot.tokens[k]), 2.5, 2.5);
    // The block shown.
    const int k = std::clamp(plot.current, 0, depthOf(plot));
    p.setPen(QPen(tokenPlotCurrentColour(), 1.5, Qt::DotLine));
    p.drawLine(pointAt(data, plot, k, 0), pointAt(data, plot, k, axisTop(plot)));
    p.setPen(QPen(tokenPlotCurrentColour(), 2));
    p.setBrush(Qt::NoBrush);
    if (static_cast<std::size_t>(k) < plot.tokens.size())
        p.drawEllipse(pointAt(data, plot, k, plot.tokens[static_cast<std::size_t>(k)]), 5.5, 5.5);
    p.restore();
}

} // namespace ts
