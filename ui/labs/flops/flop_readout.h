#pragma once
// The FLOP lab's readout: the exact values at one plotted length, as shown under the chart and
// in its tooltip when the pointer is near that length. Every model's analytic count (rounded and
// exact), its ratio to the baseline in the ratio view, or one model's parts in the breakdown
// view; measured FLOPs with their deviation from the analytic count, seconds and peak memory,
// or why a point was not run.
#include "core/flops/flop_report.h"
#include "ui/figures/flop_curve_figure.h"

#include <QString>

namespace ts {

// Empty for an index outside the plotted lengths.
QString flopReadout(const FlopReport& report, const FlopCurveOptions& options, int index);

} // namespace ts
