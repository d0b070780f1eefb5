#pragma once
// The FLOP curve figure: log-log FLOPs against sequence length, one series per model (measured
// points beside the analytic curve, runs that would not fit marked, measured seconds and peak
// memory in charts beside it), a stacked breakdown of one model, or every model's ratio to a
// baseline. The charts are Qt Charts built by ui/figures/flop_charts.h, so the GUI's view, its
// export, the command line (`tokenscope flops --out`) and the tests draw the same picture; the
// title and axis labels name the counting convention.
#include "core/flops/flop_report.h"
#include "core/settings/lab_settings.h"
#include "ui/figures/figure_export.h"

#include <QColor>
#include <QString>

namespace ts {

enum class FlopChartMode { Curves, Breakdown, Ratio };
enum class FlopBreakdownKind { Groups, Stages };

struct FlopCurveOptions {
    FlopChartMode mode = FlopChartMode::Curves;
    int baseline = 0;        // Ratio: the series every other one is divided by
    int breakdownSeries = 0; // Breakdown: the model shown
    FlopBreakdownKind breakdown = FlopBreakdownKind::Groups;
    bool showMeasured = true;
    // The measured seconds and peak memory charts (on screen only: they change from run to run,
    // so the exported figure, whose recipe must redraw it exactly, leaves them to the data export).
    bool showRunCharts = true;
    // A length marked by a vertical line (the current image's token count), 0 for none, and its
    // legend entry ("image: 197 tokens").
    long long markLength = 0;
    QString markLabel;
};

// Parts grouped for the breakdown: "attention (QK^T, AV)", "projections (QKV, out)", "MLP",
// "cross-attention", "ToMe matching", "embedding + head" (only groups with FLOPs are listed).
std::vector<std::pair<QString, double>> flopPartGroups(const FlopBreakdown& b);
// The breakdown view's categories: the part groups above, or the model's stages.
std::vector<std::pair<QString, double>> flopBreakdownCategories(const FlopBreakdown& b, FlopBreakdownKind kind);

// Colour of series i (a fixed qualitative palette, the same in the GUI chart and the figure).
QColor flopSeriesColor(int index);
// "1.23 TFLOPs"-style text for hover and tables.
QString formatFlopCount(double flops);

QSizeF flopCurveNaturalSize();
// The legend entry of the marked length: "image: 197 tokens".
QString flopMarkLabel(long long tokens);

// The figure with its recipe; `command` is the tokenscope command line that regenerates it.
// The charts are laid out at `size` (default: the natural size), as the GUI's view lays them out
// at its own size, and scaled into whatever target the figure is painted in.
Figure flopCurveFigure(const FlopReport& report, const FlopCurveOptions& options, const QString& command,
                       QSizeF size = {});
// The same with the recipe from the settings (laid out at the settings' figure size, without the
// run charts): what the FLOP lab exports and `tokenscope flops --out` writes.
Figure flopCurveFigure(const FlopReport& report, FlopCurveOptions options, const FlopSettings& settings);

} // namespace ts
