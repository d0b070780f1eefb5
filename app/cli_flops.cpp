// tokenscope flops: analytic FLOP curves for presets or a config file at chosen lengths, with
// the breakdown, measured runs, CSV / JSON and the figure.
#include "app/cli_args.h"
#include "app/cli_export.h"
#include "app/command_line.h"
#include "core/flops/flop_config.h"
#include "core/flops/flop_lengths.h"
#include "core/flops/flop_measure.h"
#include "core/flops/flop_presets.h"
#include "core/settings/lab_settings.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/flop_curve_figure.h"

#include <QString>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace ts::cli {
namespace {

std::vector<ArchSpec> specsFromArgs(const Args& args)
{
    if (!args.has("preset") && !args.has("config"))
        throw Error("give --preset NAME[,NAME...], --config FILE.json, or both");
    std::vector<ArchSpec> specs;
    if (args.has("preset")) {
        std::stringstream in(args.value("preset"));
        for (std::string name; std::getline(in, name, ',');)
            specs.push_back(flopPreset(name));
    }
    if (args.has("config"))
        for (ArchSpec& spec : loadFlopConfig(args.value("config"))) {
            for (const ArchSpec& s : specs)
                if (s.name == spec.name)
                    throw Error("--config: model '" + spec.name + "' is also given by --preset; rename it in the file");
            specs.push_back(std::move(spec));
        }
    return specs;
}

FlopCurveOptions figureOptions(const Args& args, const FlopReport& report)
{
    FlopCurveOptions o;
    const std::string mode = args.value("mode", args.flag("breakdown") ? "breakdown" : "curves");
    if (mode == "curves")
        o.mode = FlopChartMode::Curves;
    else if (mode == "ratio")
        o.mode = FlopChartMode::Ratio;
    else if (mode == "breakdown")
        o.mode = FlopChartMode::Breakdown;
    else
        throw Error("--mode must be curves, ratio or breakdown, got '" + mode + "'");
    auto indexOf = [&](const char* option) {
        if (!args.has(option))
            return 0;
        const std::string name = args.value(option);
        for (std::size_t i = 0; i < report.series.size(); ++i)
            if (report.series[i].spec.name == name)
                return int(i);
        throw Error(std::string("--") + option + ": '" + name + "' is not one of the models");
    };
    o.baseline = indexOf("baseline");
    o.breakdownSeries = indexOf("breakdown-model");
    o.breakdown = args.flag("stages") ? FlopBreakdownKind::Stages : FlopBreakdownKind::Groups;
    return o;
}

void printTable(const FlopReport& report, bool breakdown, bool measured)
{
    std::printf("convention: %s\n", report.convention.label().c_str());
    for (const FlopSeries& s : report.series) {
        std::printf("\n%s  (%s)\n", s.spec.name.c_str(), s.spec.summary().c_str());
        if (!s.spec.description.empty())
            std::printf("  %s\n", s.spec.description.c_str());
        std::printf("  %10s %14s", "length", "FLOPs");
        if (measured)
            std::printf(" %14s %9s %9s %11s  %s", "measured", "diff", "seconds", "peak MiB", "status");
        std::printf("\n");
        for (const FlopPoint& p : s.points) {
            std::printf("  %10lld %14.4e", p.length, p.analytic.total);
            const FlopMeasurement& m = p.measured;
            if (measured && m.status == MeasureStatus::Ran)
                std::printf(" %14.4e %8.3f%% %9.3f %11.1f  ran", m.flops, 100 * m.relativeError(), m.seconds,
                            double(m.peakMemoryBytes) / (1 << 20));
            else if (measured)
                std::printf(" %14s %9s %9s %11s  %s: %s", "-", "-", "-", "-", measureStatusName(m.status), m.note.c_str());
            std::printf("\n");
            if (!breakdown)
                continue;
            for (const auto& [name, v] : p.analytic.parts)
                std::printf("  %10s   %-12s %12.4e  %5.1f%%\n", "", name.c_str(), v, 100 * v / p.analytic.total);
            for (const auto& [name, v] : p.analytic.elementwise)
                std::printf("  %10s   %-12s %12.4e  (elementwise, not in total)\n", "", name.c_str(), v);
        }
        if (s.fitOptimum && !s.fitOptimum->total.empty()) {
            std::printf("  best group size per length (min total FLOPs; closed form n* from attention terms):\n");
            for (const FitOptimum& o : s.fitOptimum->total)
                std::printf("  %10lld  n = %-9lld %14.4e  (n* = %.0f)\n", o.length, o.groupSize, o.flops, o.closedFormGroupSize);
            if (s.fitOptimum->total.size() >= 2)
                std::printf("  fitted exponent of the minimum vs L: total %.3f, attention only %.3f (paper: 4/3 = 1.333)\n",
                            s.fitOptimum->totalExponent, s.fitOptimum->attentionExponent);
        }
    }
}

// The options into the settings the GUI's FLOP lab holds (core/settings/lab_settings.h); the
// custom models' specs come from the config file (the recipe embeds them).
FlopSettings flopSettingsFromArgs(const Args& args, const std::vector<ArchSpec>& specs, const FlopReport& report)
{
    FlopSettings s;
    s.presets.clear();
    // specsFromArgs lists the --preset names first, then the config file's models.
    std::size_t presetCount = 0;
    if (args.has("preset")) {
        std::stringstream in(args.value("preset"));
        for (std::string name; std::getline(in, name, ',');)
            ++presetCount;
    }
    nlohmann::json custom = nlohmann::json::array();
    for (std::size_t i = 0; i < specs.size(); ++i) {
        if (i < presetCount) {
            s.presets.push_back(specs[i].name);
        } else {
            s.customModels.push_back(specs[i].name);
            custom.push_back(archSpecToJson(specs[i]));
        }
    }
    if (!s.customModels.empty())
        s.customModelsJson = nlohmann::json{{"models", custom}}.dump(2);
    s.lengths = args.value("lengths");
    s.convention = report.convention.name();
    s.mode = args.value("mode", args.flag("breakdown") ? "breakdown" : "curves");
    s.reference = args.value(s.mode == "breakdown" ? "breakdown-model" : "baseline", "");
    s.byStage = args.flag("stages");
    s.measure = args.flag("measure");
    s.measureMaxLength = args.integer("measure-max-length", 0, 0, 1LL << 40);
    s.markLength = args.integer("mark-length", 0, 0, 1LL << 40);
    if (args.has("figure-size")) {
        const std::string text = args.value("figure-size");
        const auto x = text.find('x');
        if (x == std::string::npos)
            throw Error("--figure-size: expected WIDTHxHEIGHT, got '" + text + "'");
        s.figureWidth = static_cast<int>(parseInteger(text.substr(0, x), "--figure-size"));
        s.figureHeight = static_cast<int>(parseInteger(text.substr(x + 1), "--figure-size"));
        if (s.figureWidth < 200 || s.figureHeight < 150 || s.figureWidth > 16384 || s.figureHeight > 16384)
            throw Error("--figure-size must be at least 200x150 and at most 16384x16384, got '" + text + "'");
    } else {
        s.figureWidth = static_cast<int>(flopCurveNaturalSize().width());
        s.figureHeight = static_cast<int>(flopCurveNaturalSize().height());
    }
    return s;
}

} // namespace

int runFlops(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"preset", "config", "lengths", "convention", "csv", "json", "out", "scale", "dpi", "mode", "baseline",
                     "breakdown-model", "memory-limit-mib", "measure-max-length", "measure-max-flops", "seed", "figure-size", "mark-length"},
                    {"breakdown", "measure", "stages", "no-fit-optimum"});
    const std::vector<ArchSpec> specs = specsFromArgs(args);
    const std::vector<long long> lengths = parseLengths(args.value("lengths"));
    const FlopConvention convention = flopConvention(args.value("convention", "default"));
    // Every output checked before any work; all written together at the end (all or none).
    OutputFiles files;
    for (const char* option : {"json", "csv"})
        if (args.has(option))
            files.reserve(QString::fromStdString(args.value(option)));
    if (args.has("out"))
        reserveFigure(files, QString::fromStdString(args.value("out")));
    const double scale = pngScale(args);
    FlopReport report = computeFlopCurves(specs, lengths, convention, !args.flag("no-fit-optimum"));
    const FlopCurveOptions options = figureOptions(args, report);
    const FlopSettings settings = flopSettingsFromArgs(args, specs, report); // checks --figure-size before measuring
    if (args.flag("measure")) {
        MeasureOptions mo;
        mo.memoryLimitBytes = args.integer("memory-limit-mib", 0, 0, 1LL << 30) << 20;
        mo.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 62));
        mo.maxLength = args.integer("measure-max-length", 0, 0, 1LL << 40);
        // The work is known before anything runs: refused beyond a stated bound (raised with
        // --measure-max-flops) rather than left to run for hours.
        const double maxFlops = args.number("measure-max-flops", kDefaultMeasureMaxFlops);
        if (!(maxFlops > 0))
            throw Error("--measure-max-flops must be positive, got " + quotedForMessage(args.value("measure-max-flops"), 40));
        const MeasureWork work = estimateMeasureWork(report, mo);
        if (work.totalFlops > maxFlops)
            throw Error("--measure would run " + numberText(work.totalFlops) + " FLOPs over " + std::to_string(work.points)
                        + " points (the largest, " + work.largestLabel + ", " + numberText(work.largestFlops)
                        + "), above the bound of " + numberText(maxFlops)
                        + " FLOPs (minutes on a desktop CPU): raise it with --measure-max-flops or leave long lengths out with "
                          "--measure-max-length");
        std::cerr << "measuring " << work.points << " points, " << numberText(work.totalFlops) << " FLOPs in all\n";
        RunControl control;
        control.onProgress = [](int done, int total, const std::string& what) {
            std::cerr << "[" << done << "/" << total << "] " << what << "\n";
        };
        measureReport(report, control, mo);
    }
    printTable(report, args.flag("breakdown"), args.flag("measure"));
    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), QByteArray::fromStdString(flopReportJson(report)));
    if (args.has("csv"))
        files.stage(QString::fromStdString(args.value("csv")), QByteArray::fromStdString(flopReportCsv(report)));
    if (args.has("out"))
        stageFigure(files, flopCurveFigure(report, options, settings), QString::fromStdString(args.value("out")), scale);
    files.commit();
    if (args.has("out"))
        std::cout << "wrote " << args.value("out") << "\n";
    return 0;
}

} // namespace ts::cli
