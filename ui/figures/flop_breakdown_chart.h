#pragma once
// The FLOP lab's breakdown view: one model's FLOPs as stacked shares (part groups or stages)
// against the length, in the style of the other FLOP charts (ui/figures/flop_charts.h).
#include "core/flops/flop_report.h"
#include "ui/figures/chart_parts.h"

#include <QRectF>
#include <QString>

class QGraphicsScene;
QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

namespace ts {

struct FlopCurveOptions;

// Shared with the other FLOP charts: the log2 range of the plotted lengths, and the counting
// convention as one sentence: "Convention “default”: forward, 1 MAC = 2 FLOPs, ...".
QString flopConventionLine(const FlopReport& report);
charts::Extent flopLengthExtent(const FlopReport& report);
// The stacked shares of options.breakdownSeries, added to `scene` at `geometry`.
QChart* flopBreakdownChart(QGraphicsScene& scene, const FlopReport& report, const FlopCurveOptions& options, const QRectF& geometry);

} // namespace ts
