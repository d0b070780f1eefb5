#include "ui/labs/flops/flop_readout.h"

#include <QStringList>

#include <algorithm>

namespace ts {
namespace {

QString exactFlops(double v) { return formatFlopCount(v) + " (" + QString::number(v, 'g', 12) + ")"; }

QString mib(long long bytes) { return QString::number(double(bytes) / (1 << 20), 'f', 1) + " MiB"; }

const FlopSeries& seriesAt(const FlopReport& report, int index)
{
    return report.series[std::size_t(std::clamp(index, 0, int(report.series.size()) - 1))];
}

QString breakdownReadout(const FlopReport& report, const FlopCurveOptions& o, std::size_t k)
{
    const FlopSeries& s = seriesAt(report, o.breakdownSeries);
    const FlopBreakdown& b = s.points[k].analytic;
    QStringList lines;
    lines << QString("L = %1, %2: %3").arg(s.points[k].length).arg(QString::fromStdString(s.spec.name), exactFlops(b.total));
    for (const auto& [name, v] : flopBreakdownCategories(b, o.breakdown))
        lines << QString("  %1: %2 (%3%)").arg(name, exactFlops(v)).arg(b.total > 0 ? 100 * v / b.total : 0.0, 0, 'f', 1);
    return lines.join('\n');
}

QString measuredText(const FlopMeasurement& m, const FlopConvention& convention)
{
    if (m.status == MeasureStatus::Ran)
        return QString("; measured %1 (%2%3%), %4 s, peak %5")
            .arg(formatFlopCount(m.flops * convention.scale()))
            .arg(m.relativeError() >= 0 ? "+" : "")
            .arg(100 * m.relativeError(), 0, 'f', 3)
            .arg(m.seconds, 0, 'f', 3)
            .arg(mib(m.peakMemoryBytes));
    if (m.status == MeasureStatus::TooLarge)
        return QString("; not run: needs ~%1 (%2)").arg(mib(m.estimatedMemoryBytes), QString::fromStdString(m.note));
    if (m.status != MeasureStatus::NotRequested)
        return QString("; %1: %2").arg(measureStatusName(m.status), QString::fromStdString(m.note));
    return {};
}

} // namespace

QString flopReadout(const FlopReport& report, const FlopCurveOptions& o, int index)
{
    if (index < 0 || report.series.empty() || index >= int(report.series.front().points.size()))
        return {};
    const std::size_t k = std::size_t(index);
    if (o.mode == FlopChartMode::Breakdown)
        return breakdownReadout(report, o, k);
    const FlopSeries& base = seriesAt(report, o.baseline);
    QStringList lines;
    lines << QString("L = %1").arg(report.series.front().points[k].length);
    for (const FlopSeries& s : report.series) {
        const double v = s.points[k].analytic.total;
        QString line = QString("  %1: %2").arg(QString::fromStdString(s.spec.name), exactFlops(v));
        if (o.mode == FlopChartMode::Ratio && base.points[k].analytic.total > 0)
            line += QString(", x%1 of %2").arg(v / base.points[k].analytic.total, 0, 'g', 5).arg(QString::fromStdString(base.spec.name));
        lines << line + measuredText(s.points[k].measured, report.convention);
    }
    return lines.join('\n');
}

} // namespace ts
