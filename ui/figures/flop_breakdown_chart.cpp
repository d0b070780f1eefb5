// The FLOP lab's breakdown view (ui/figures/flop_breakdown_chart.h).
#include "ui/figures/flop_breakdown_chart.h"

#include "ui/figures/chart_parts.h"
#include "ui/figures/figure_type.h"
#include "ui/figures/flop_curve_figure.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace ts {

using charts::attach;
using charts::chartTitle;
using charts::Extent;
using charts::lengthAxis;
using charts::newChart;

// The counting convention as one sentence: "Convention “default”: forward, 1 MAC = 2 FLOPs, ...".
QString flopConventionLine(const FlopReport& r)
{
    return QString::fromUtf8("Convention \u201c") + QString::fromStdString(r.convention.name()) + QString::fromUtf8("\u201d: ")
           + QString::fromStdString(r.convention.label());
}

Extent flopLengthExtent(const FlopReport& r)
{
    Extent e;
    for (const FlopSeries& s : r.series)
        for (const FlopPoint& p : s.points)
            if (p.length > 0)
                e.add(std::log2(double(p.length)));
    return e;
}

namespace {

// Each breakdown category's share of the model's FLOPs (percent) at every point, the categories
// in order of first appearance.
struct BreakdownShares {
    std::vector<QString> names;
    std::vector<std::vector<double>> shares; // [category][point], percent
};

BreakdownShares breakdownShares(const FlopSeries& s, FlopBreakdownKind kind)
{
    BreakdownShares out;
    std::vector<QString>& names = out.names;
    for (std::size_t k = 0; k < s.points.size(); ++k) {
        const FlopBreakdown& b = s.points[k].analytic;
        const std::vector<std::pair<QString, double>> cats = flopBreakdownCategories(b, kind);
        for (const auto& [name, v] : cats) {
            auto it = std::find(names.begin(), names.end(), name);
            if (it == names.end()) {
                names.push_back(name);
                out.shares.emplace_back(s.points.size(), 0.0);
                it = names.end() - 1;
            }
            out.shares[std::size_t(it - names.begin())][k] = b.total > 0 ? 100.0 * v / b.total : 0.0;
        }
    }
    return out;
}

QValueAxis* shareAxis(const FlopSeries& s, const FlopReport& r)
{
    auto* yAxis = new QValueAxis;
    yAxis->setRange(0, 100);
    yAxis->setTickCount(11);
    yAxis->setLabelFormat("%.0f%%");
    yAxis->setTitleText(QString("share of %1's FLOPs [%2]").arg(QString::fromStdString(s.spec.name),
                                                                 QString::fromStdString(r.convention.name())));
    yAxis->setTitleFont(figureFont(TextRole::AxisTitle));
    yAxis->setLabelsFont(figureFont(TextRole::TickLabel));
    yAxis->setGridLineColor(QColor(222, 222, 222));
    return yAxis;
}


} // namespace

// Stacked shares of one model's FLOPs, categories from flopPartGroups or the model's stages.
QChart* flopBreakdownChart(QGraphicsScene& scene, const FlopReport& r, const FlopCurveOptions& o, const QRectF& geometry)
{
    const FlopSeries& s = r.series[std::size_t(std::clamp(o.breakdownSeries, 0, int(r.series.size()) - 1))];
    QChart* chart = newChart(scene,
                             chartTitle(QString("Where the FLOPs of %1 go").arg(QString::fromStdString(s.spec.name)),
                                        {flopConventionLine(r) + ";", "softmax, LayerNorm and GELU are counted apart and not shown."},
                                        geometry.width()),
                             geometry);
    chart->legend()->setMarkerShape(QLegend::MarkerShapeRectangle); // filled swatches for areas
    const BreakdownShares b = breakdownShares(s, o.breakdown);
    const std::vector<QString>& names = b.names;
    const Extent x = flopLengthExtent(r);
    if (x.empty() || names.empty())
        return chart;
    QCategoryAxis* xAxis = lengthAxis(x.lo, x.hi, std::clamp(int(geometry.width() / 75), 3, 10));
    QValueAxis* yAxis = shareAxis(s, r);
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    // Cumulative bounds; the areas are added top first so the legend reads like the stack.
    std::vector<std::vector<double>> top(names.size(), std::vector<double>(s.points.size(), 0.0));
    for (std::size_t c = 0; c < names.size(); ++c)
        for (std::size_t k = 0; k < s.points.size(); ++k)
            top[c][k] = (c > 0 ? top[c - 1][k] : 0.0) + b.shares[c][k];
    for (std::size_t c = names.size(); c-- > 0;) {
        auto* area = new QAreaSeries;
        auto* upper = new QLineSeries(area);
        auto* lower = new QLineSeries(area);
        for (std::size_t k = 0; k < s.points.size(); ++k) {
            const double lx = std::log2(double(s.points[k].length));
            upper->append(lx, top[c][k]);
            lower->append(lx, c > 0 ? top[c - 1][k] : 0.0);
        }
        area->setUpperSeries(upper);
        area->setLowerSeries(lower);
        area->setName(names[c]);
        const QColor color = flopSeriesColor(int(c) + 3);
        area->setBrush(color);
        area->setPen(QPen(color.darker(120), 1));
        attach(chart, area, xAxis, yAxis);
    }
    return chart;
}

} // namespace ts
