#include "ui/figures/flop_charts.h"

#include "ui/figures/chart_parts.h"
#include "ui/figures/figure_record.h"
#include "ui/figures/figure_type.h"
#include "ui/figures/flop_breakdown_chart.h"
#include "ui/figures/flop_curve_figure.h"

#include <QAreaSeries>
#include <QCategoryAxis>
#include <QChart>
#include <QCoreApplication>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace ts {
namespace {

using charts::attach;
using charts::bytesLabel;
using charts::chartTitle;
using charts::Extent;
using charts::flopLabel;
using charts::hideFromLegend;
using charts::Label;
using charts::lengthAxis;
using charts::logAxis;
using charts::markerSeries;
using charts::newChart;
using charts::secondsLabel;

double seriesValue(const FlopReport& r, std::size_t s, std::size_t k, const FlopCurveOptions& o)
{
    const double v = r.series[s].points[k].analytic.total;
    if (o.mode != FlopChartMode::Ratio)
        return v;
    const auto& base = r.series[std::size_t(std::clamp(o.baseline, 0, int(r.series.size()) - 1))].points;
    return k < base.size() && base[k].analytic.total > 0 ? v / base[k].analytic.total : 0.0;
}



// The y axis's unit: what one value counts.
QString flopUnit(const FlopReport& r)
{
    return r.convention.training ? QString("FLOPs per training step") : QString("FLOPs per forward pass");
}

// Line styles cycled over the models, so curves that run together (a model and its ToMe
// variant at long lengths) stay visible as two lines, in print and in grey too.
Qt::PenStyle seriesPenStyle(std::size_t s)
{
    static const Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine, Qt::DashDotDotLine};
    return kStyles[s % (sizeof kStyles / sizeof kStyles[0])];
}

// The (log10) values the curves or ratio chart plots: every analytic point, and in the curves
// view the measured counts shown beside them.
Extent valueExtent(const FlopReport& r, const FlopCurveOptions& o)
{
    const bool ratio = o.mode == FlopChartMode::Ratio;
    Extent y;
    for (std::size_t s = 0; s < r.series.size(); ++s)
        for (std::size_t k = 0; k < r.series[s].points.size(); ++k) {
            const FlopPoint& p = r.series[s].points[k];
            const double v = seriesValue(r, s, k, o);
            if (v > 0)
                y.add(std::log10(v));
            if (!ratio && o.showMeasured && p.measured.status == MeasureStatus::Ran && p.measured.flops > 0)
                y.add(std::log10(p.measured.flops * r.convention.scale()));
        }
    return y;
}

// "vit-b16 and tome-vit-b16 (r = 0) coincide: drawn dashed over solid" when series have the
// same values at every length (a line hidden under another would otherwise look missing).
QString coincidingNote(const FlopReport& r, const FlopCurveOptions& o)
{
    QStringList pairs;
    for (std::size_t a = 0; a < r.series.size(); ++a)
        for (std::size_t b = a + 1; b < r.series.size(); ++b) {
            bool same = !r.series[a].points.empty() && r.series[a].points.size() == r.series[b].points.size();
            for (std::size_t k = 0; same && k < r.series[a].points.size(); ++k) {
                const double va = seriesValue(r, a, k, o), vb = seriesValue(r, b, k, o);
                same = std::abs(va - vb) <= 1e-9 * std::max(std::abs(va), std::abs(vb));
            }
            if (same)
                pairs << QString("%1 = %2").arg(QString::fromStdString(r.series[a].spec.name), QString::fromStdString(r.series[b].spec.name));
        }
    return pairs.isEmpty() ? QString() : "Coinciding at every length (drawn in different dashes): " + pairs.join(", ") + ".";
}

// A vertical grey line at the marked length (the current image's token count), named in the legend.
void addLengthMark(QChart* chart, const FlopCurveOptions& o, QCategoryAxis* xAxis, QCategoryAxis* yAxis)
{
    if (o.markLength <= 0)
        return;
    const double lx = std::log2(double(o.markLength));
    if (lx < xAxis->min() || lx > xAxis->max())
        return;
    auto* mark = new QLineSeries;
    mark->setName(o.markLabel.isEmpty() ? QString("L = %1").arg(o.markLength) : o.markLabel);
    mark->setPen(QPen(QColor(110, 110, 110), 1.5, Qt::DashDotLine));
    mark->append(lx, yAxis->min());
    mark->append(lx, yAxis->max());
    attach(chart, mark, xAxis, yAxis);
}

// Which marker kinds a chart shows, for their legend entries.
struct MarkerKinds {
    bool measured = false, tooLarge = false;
};

// Model s: its line, and in the curves view its measured and too-large markers (left out of the
// legend: one grey entry per kind stands for them all).
void addModelSeries(QChart* chart, const FlopReport& r, const FlopCurveOptions& o, std::size_t s, QAbstractAxis* xAxis,
                    QAbstractAxis* yAxis, MarkerKinds& kinds)
{
    const bool ratio = o.mode == FlopChartMode::Ratio;
    const QColor color = flopSeriesColor(int(s));
    auto* line = new QLineSeries;
    line->setName(QString::fromStdString(r.series[s].spec.name));
    QPen pen(color, 2);
    pen.setStyle(seriesPenStyle(s));
    line->setPen(pen);
    auto* ran = markerSeries(QScatterSeries::MarkerShapeCircle, color, line->name() + " measured");
    auto* tooLarge = markerSeries(QScatterSeries::MarkerShapeTriangle, color.darker(125), line->name() + " too large");
    for (std::size_t k = 0; k < r.series[s].points.size(); ++k) {
        const FlopPoint& p = r.series[s].points[k];
        const double v = seriesValue(r, s, k, o);
        if (v <= 0)
            continue;
        const double lx = std::log2(double(p.length));
        line->append(lx, std::log10(v));
        if (ratio || !o.showMeasured)
            continue;
        // Measured counts are in the default convention: scale them like the analytic curve.
        if (p.measured.status == MeasureStatus::Ran && p.measured.flops > 0)
            ran->append(lx, std::log10(p.measured.flops * r.convention.scale()));
        else if (p.measured.status == MeasureStatus::TooLarge)
            tooLarge->append(lx, std::log10(v));
    }
    attach(chart, line, xAxis, yAxis);
    kinds.measured = kinds.measured || ran->count() > 0;
    kinds.tooLarge = kinds.tooLarge || tooLarge->count() > 0;
    for (QScatterSeries* m : {ran, tooLarge}) {
        if (m->count() == 0) {
            delete m;
            continue;
        }
        attach(chart, m, xAxis, yAxis);
        hideFromLegend(chart, m);
    }
}

// Curves or ratios: one line per model; in the curves view, measured and too-large markers.
// Sets *measured when any point ran (the caller then adds the seconds and memory charts).
QChart* lineChart(QGraphicsScene& scene, const FlopReport& r, const FlopCurveOptions& o, const QRectF& geometry, bool* measured)
{
    const bool ratio = o.mode == FlopChartMode::Ratio;
    const QString baseName = QString::fromStdString(r.series[std::size_t(std::clamp(o.baseline, 0, int(r.series.size()) - 1))].spec.name);
    QStringList subtitle{flopConventionLine(r) + ";", "softmax, LayerNorm and GELU counted apart."};
    if (const QString coincide = coincidingNote(r, o); !coincide.isEmpty())
        subtitle << coincide;
    QChart* chart = newChart(scene, chartTitle(ratio ? "FLOP ratio to " + baseName : flopUnit(r), subtitle, geometry.width()), geometry);
    const Extent x = flopLengthExtent(r), y = valueExtent(r, o);
    if (x.empty() || y.empty())
        return chart;
    QCategoryAxis* xAxis = lengthAxis(x.lo, x.hi, std::clamp(int(geometry.width() / 75), 3, 10));
    QCategoryAxis* yAxis = ratio ? logAxis(y.lo, y.hi, [](double v) { return QString::number(v, 'g', 3); },
                                           QString("FLOPs / FLOPs of %1").arg(baseName))
                                 : logAxis(y.lo, y.hi, flopLabel,
                                           flopUnit(r));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);

    MarkerKinds kinds;
    for (std::size_t s = 0; s < r.series.size(); ++s)
        addModelSeries(chart, r, o, s, xAxis, yAxis, kinds);
    // One grey legend entry per marker kind, on empty series.
    if (kinds.measured)
        attach(chart, markerSeries(QScatterSeries::MarkerShapeCircle, QColor(90, 90, 90), "measured here"), xAxis, yAxis);
    if (kinds.tooLarge)
        attach(chart, markerSeries(QScatterSeries::MarkerShapeTriangle, QColor(90, 90, 90), "too large to run here"), xAxis,
               yAxis);
    addLengthMark(chart, o, xAxis, yAxis);
    *measured = kinds.measured;
    return chart;
}

// Measured seconds or peak memory against L, a line with points per model that ran.
QChart* measuredChart(QGraphicsScene& scene, const FlopReport& r, bool memory, const QRectF& geometry)
{
    // Short titles: these charts get a third of the width; the axis names the unit.
    // The title says what is measured; the tick labels carry the unit ("100 ms", "300 MB").
    QChart* chart = newChart(scene,
                             memory ? chartTitle("Peak memory", {"weights + tensors"}, geometry.width())
                                    : chartTitle("Time here", {"per forward pass"}, geometry.width()),
                             geometry);
    chart->legend()->hide();
    auto value = [memory](const FlopMeasurement& m) { return memory ? double(m.peakMemoryBytes) : m.seconds; };
    // Both ranges follow the measured points (not every length the FLOP chart shows).
    Extent x, y;
    for (const FlopSeries& s : r.series)
        for (const FlopPoint& p : s.points)
            if (p.measured.status == MeasureStatus::Ran && value(p.measured) > 0) {
                x.add(std::log2(double(p.length)));
                y.add(std::log10(value(p.measured)));
            }
    if (x.empty() || y.empty())
        return chart;
    QCategoryAxis* xAxis = lengthAxis(x.lo, x.hi, std::clamp(int(geometry.width() / 70), 2, 5));
    xAxis->setTitleText("L");
    QCategoryAxis* yAxis = logAxis(y.lo, y.hi, memory ? Label(bytesLabel) : Label(secondsLabel), QString());
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    for (std::size_t s = 0; s < r.series.size(); ++s) {
        auto* line = new QLineSeries;
        line->setName(QString::fromStdString(r.series[s].spec.name));
        line->setPen(QPen(flopSeriesColor(int(s)), 2));
        line->setPointsVisible(true);
        line->setMarkerSize(6);
        for (const FlopPoint& p : r.series[s].points)
            if (p.measured.status == MeasureStatus::Ran && value(p.measured) > 0)
                line->append(std::log2(double(p.length)), std::log10(value(p.measured)));
        if (line->count() == 0) {
            delete line;
            continue;
        }
        attach(chart, line, xAxis, yAxis);
    }
    return chart;
}

std::vector<QChart*> buildCharts(QGraphicsScene& scene, const FlopReport& report, const FlopCurveOptions& options, const QSizeF& size)
{
    const QRectF all(QPointF(0, 0), size);
    scene.setSceneRect(all);
    scene.setBackgroundBrush(Qt::white);
    if (report.series.empty())
        return {newChart(scene, "<b>No models</b>", all)};
    if (options.mode == FlopChartMode::Breakdown)
        return {flopBreakdownChart(scene, report, options, all)};
    bool measured = false;
    QChart* main = lineChart(scene, report, options, all, &measured);
    if (!measured || options.mode != FlopChartMode::Curves || !options.showRunCharts)
        return {main};
    // Measured runs: the FLOP chart keeps most of the room, time and memory sit beside it, or
    // below it side by side where the width would squeeze its legend.
    QRectF timeBox, memoryBox;
    if (size.width() >= 900) {
        const double split = std::round(size.width() * 0.64), half = std::round(size.height() / 2);
        main->setGeometry(QRectF(0, 0, split, size.height()));
        timeBox = QRectF(split, 0, size.width() - split, half);
        memoryBox = QRectF(split, half, size.width() - split, size.height() - half);
    } else {
        const double split = std::round(size.height() * 0.6), half = std::round(size.width() / 2);
        main->setGeometry(QRectF(0, 0, size.width(), split));
        timeBox = QRectF(0, split, half, size.height() - split);
        memoryBox = QRectF(half, split, size.width() - half, size.height() - split);
    }
    QChart* seconds = measuredChart(scene, report, false, timeBox);
    QChart* memory = measuredChart(scene, report, true, memoryBox);
    return {main, seconds, memory};
}

// On a dark background (the screen under a dark palette) the light theme's ink is turned light.
// Series keep their colours; only chrome and text change, so a chart reads the same either way.
void inkForDark(QChart* chart, const QColor& background)
{
    chart->setBackgroundBrush(background);
    chart->setTitleBrush(QColor(235, 235, 235));
    chart->legend()->setLabelColor(QColor(220, 220, 220));
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsColor(QColor(210, 210, 210));
        axis->setTitleBrush(QColor(220, 220, 220));
        axis->setGridLineColor(background.lighter(170));
        axis->setLinePenColor(QColor(170, 170, 170));
    }
    for (QAbstractSeries* series : chart->series())
        if (auto* legendOnly = qobject_cast<QScatterSeries*>(series); legendOnly && legendOnly->count() == 0)
            legendOnly->setPen(QPen(QColor(190, 190, 190), 1.6));
}

} // namespace

std::vector<QChart*> buildFlopCharts(QGraphicsScene& scene, const FlopReport& report, const FlopCurveOptions& options,
                                     const QSizeF& size, const QColor& background)
{
    std::vector<QChart*> charts = buildCharts(scene, report, options, size);
    if (background.lightness() < 128) {
        scene.setBackgroundBrush(background);
        for (QChart* chart : charts)
            inkForDark(chart, background);
    }
    // Qt Charts lays out axes and legend on posted layout requests; deliver them now so the
    // scene can be painted (or exported) at once, without returning to an event loop.
    for (QChart* chart : charts) {
        QCoreApplication::sendPostedEvents(chart, QEvent::LayoutRequest);
        if (chart->layout())
            chart->layout()->activate();
    }
    return charts;
}

void recordFlopCharts(const std::vector<QChart*>& charts, const QGraphicsScene& scene, const QRectF& sceneRect,
                      const QRectF& deviceRect)
{
    if (!figureRecordingActive() || sceneRect.isEmpty())
        return;
    recordSceneText(scene, sceneRect, deviceRect);
    const double sx = deviceRect.width() / sceneRect.width(), sy = deviceRect.height() / sceneRect.height();
    auto toDevice = [&](const QRectF& r) {
        return QRectF(deviceRect.left() + (r.left() - sceneRect.left()) * sx, deviceRect.top() + (r.top() - sceneRect.top()) * sy,
                      r.width() * sx, r.height() * sy);
    };
    for (QChart* chart : charts) {
        if (!chart->series().isEmpty())
            recordFigureItem({PlacedKind::Data, toDevice(chart->mapToScene(chart->plotArea()).boundingRect()), chart->title().left(30)});
        // The legend draws no frame: its box is what its markers draw.
        QRectF legend;
        if (chart->legend()->isVisible())
            for (const QGraphicsItem* item : chart->legend()->childItems())
                for (const QGraphicsItem* part : item->childItems())
                    if (part->isVisible() && !part->boundingRect().isEmpty())
                        legend = legend.united(part->sceneBoundingRect());
        if (!legend.isEmpty())
            recordFigureItem({PlacedKind::Legend, toDevice(legend), QStringLiteral("legend")});
    }
}

int flopChartPointAt(const std::vector<QChart*>& charts, const FlopReport& report, const QPointF& scenePos)
{
    if (report.series.empty() || report.series.front().points.empty())
        return -1;
    for (QChart* chart : charts) {
        if (chart->series().isEmpty())
            continue;
        const QPointF local = chart->mapFromScene(scenePos);
        if (!chart->plotArea().adjusted(-6, -6, 6, 6).contains(local))
            continue;
        const double lx = chart->mapToValue(local, chart->series().front()).x();
        const std::vector<FlopPoint>& pts = report.series.front().points;
        int best = 0;
        for (int i = 1; i < int(pts.size()); ++i)
            if (std::abs(std::log2(double(pts[std::size_t(i)].length)) - lx)
                < std::abs(std::log2(double(pts[std::size_t(best)].length)) - lx))
                best = i;
        return best;
    }
    return -1;
}

} // namespace ts
