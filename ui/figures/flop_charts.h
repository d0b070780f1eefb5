#pragma once
// The FLOP lab's charts, built with Qt Charts into a QGraphicsScene of a given size. The screen
// (ui/flop_chart_view.h), the figure export and `tokenscope flops --out` all build the scene
// with this one function, so what is exported is what is shown.
//
// Axes are logarithmic: a series is plotted at (log2 L, log10 y) on category axes whose labels
// read in plain units ("4K", "10⁹", "100 ms"), which keeps tick labels short and exact. Layout:
//   curves    FLOPs against L, one line per model; measured FLOPs as circles, runs that would
//             not fit in memory as triangles (not run). When anything was measured, two smaller
//             charts beside it show measured seconds and peak memory against L.
//   ratio     every model's FLOPs divided by the baseline's.
//   breakdown stacked shares of one model's FLOPs (by part group or by stage).
#include "core/flops/flop_report.h"

#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QSizeF>

#include <vector>

class QGraphicsScene;
QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

namespace ts {

struct FlopCurveOptions;

// Adds the charts to `scene` (which owns them), laid out in (0, 0, size); returns them. Exports
// are black on white; on screen `background` is the palette's base colour, and a dark one gets
// light text, axes and grid (the series keep their colours).
std::vector<QChart*> buildFlopCharts(QGraphicsScene& scene, const FlopReport& report, const FlopCurveOptions& options,
                                     const QSizeF& size, const QColor& background = Qt::white);

// For layout tests (ui/figures/figure_record.h): records the charts' text items, plot areas (data)
// and legends, the scene's `sceneRect` drawn at `deviceRect`. Does nothing unless recording.
void recordFlopCharts(const std::vector<QChart*>& charts, const QGraphicsScene& scene, const QRectF& sceneRect,
                      const QRectF& deviceRect);

// The index of the plotted length nearest to `scenePos` when it lies over one of the charts'
// plot areas, or -1.
int flopChartPointAt(const std::vector<QChart*>& charts, const FlopReport& report, const QPointF& scenePos);

} // namespace ts
