// tokenscope bench flops: how long the analytic curves take (every preset at 64 lengths: the
// chart must follow each edit at once, target < 50 ms), and measured-versus-analytic FLOPs, time
// and peak memory of the app's own forward passes.
#include "app/cli_args.h"
#include "app/command_line.h"
#include "core/flops/flop_lengths.h"
#include "core/flops/flop_measure.h"
#include "core/flops/flop_presets.h"
#include "core/util/threads.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

namespace ts::cli {
namespace {

double millisecondsOf(const std::function<void()>& work, int repeats)
{
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

struct Case {
    const char* preset;
    std::vector<long long> lengths;
};

// Analytic: every preset at 64 log-spaced lengths from 1K to 1M, timed into `root`.
void benchAnalyticCurves(QJsonObject& root, int repeats, bool json)
{
    const std::vector<long long> lengths = logSpacedLengths(1024, 1 << 20, 64);
    const std::vector<ArchSpec>& presets = flopPresets();
    const double curvesMs = millisecondsOf([&] { computeFlopCurves(presets, lengths); }, repeats);
    std::vector<ArchSpec> fits;
    for (const ArchSpec& s : presets)
        if (s.kind == ArchKind::Fit)
            fits.push_back(s);
    const double optimumMs = millisecondsOf([&] { computeFlopCurves(fits, lengths, {}, true); }, std::min(repeats, 3));
    root["analytic_ms"] = curvesMs;
    root["analytic_points"] = double(presets.size() * lengths.size());
    root["fit_optimum_ms"] = optimumMs;
    if (!json) {
        std::printf("analytic curves: %zu presets x %zu lengths = %zu points in %.2f ms (median of %d; target < 50 ms)\n",
                    presets.size(), lengths.size(), presets.size() * lengths.size(), curvesMs, repeats);
        std::printf("FIT best group size + exponent fit: %zu FIT presets x %zu lengths in %.1f ms\n", fits.size(),
                    lengths.size(), optimumMs);
    }
}

std::vector<Case> measuredCases(bool quick)
{
    return quick ? std::vector<Case>{{"vit-ti16", {196, 1024}}, {"fit-vit-s16", {1024}}, {"fam-vit-s16", {4096}}}
                 : std::vector<Case>{{"vit-s16", {196, 1024, 4096}},
                                     {"window-vit-b16", {1024}},
                                     {"tome-vit-b16", {196, 1024}},
                                     {"fit-vit-s16", {1024, 4096, 16384}},
                                     {"bswa-vit-s16", {4096}},
                                     {"fam-vit-s16", {4096}},
                                     {"vit-b16", {65536}}};
}

QJsonObject measurementRow(const char* preset, long long length, const FlopMeasurement& m)
{
    QJsonObject row{{"model", preset}, {"length", double(length)}, {"analytic_flops", m.analyticFlops},
                    {"status", measureStatusName(m.status)}, {"note", QString::fromStdString(m.note)},
                    {"estimated_memory_bytes", double(m.estimatedMemoryBytes)}};
    if (m.status == MeasureStatus::Ran) {
        row["measured_flops"] = m.flops;
        row["relative_error"] = m.relativeError();
        row["seconds"] = m.seconds;
        row["peak_memory_bytes"] = double(m.peakMemoryBytes);
    }
    return row;
}

void printMeasurement(const char* preset, long long length, const FlopMeasurement& m)
{
    if (m.status == MeasureStatus::Ran)
        std::printf("%-15s %7lld %12.4e %12.4e %8.4f%% %9.3f %8.1f %10.1f %10.1f  ran\n", preset, length, m.analyticFlops,
                    m.flops, 100 * m.relativeError(), m.seconds, m.flops / m.seconds / 1e9,
                    double(m.peakMemoryBytes) / (1 << 20), double(m.estimatedMemoryBytes) / (1 << 20));
    else
        std::printf("%-15s %7lld %12.4e %12s %9s %9s %8s %10s %10.1f  %s: %s\n", preset, length, m.analyticFlops, "-", "-",
                    "-", "-", "-", double(m.estimatedMemoryBytes) / (1 << 20), measureStatusName(m.status), m.note.c_str());
    std::fflush(stdout);
}

} // namespace

int runBenchFlops(const std::vector<std::string>& argv)
{
    const Args args(argv, {"repeats"}, {"json", "quick", "no-measure"});
    const int repeats = static_cast<int>(args.integer("repeats", 9, 1, 1000));
    const bool json = args.flag("json");
    QJsonObject root;
    benchAnalyticCurves(root, repeats, json);
    if (args.flag("no-measure")) {
        if (json)
            std::cout << QJsonDocument(root).toJson().toStdString();
        return 0;
    }

    // Measured against analytic (default convention: forward, 1 MAC = 2 FLOPs, dense attention).
    const std::vector<Case> cases = measuredCases(args.flag("quick"));
    if (!json) {
        std::printf("\nthreads: %d; measured = FLOPs counted in the app's own forward pass (core/nn/ops.h)\n", torchThreads());
        std::printf("%-15s %7s %12s %12s %9s %9s %8s %10s %10s  %s\n", "model", "length", "analytic", "measured", "diff",
                    "seconds", "GFLOP/s", "peak MiB", "est. MiB", "status");
    }
    QJsonArray rows;
    double worst = 0;
    for (const Case& c : cases) {
        const ArchSpec spec = flopPreset(c.preset);
        for (long long length : c.lengths) {
            const FlopMeasurement m = measureFlops(spec, length);
            if (m.status == MeasureStatus::Ran)
                worst = std::max(worst, std::abs(m.relativeError()));
            rows.append(measurementRow(c.preset, length, m));
            if (!json)
                printMeasurement(c.preset, length, m);
        }
    }
    root["measured"] = rows;
    root["worst_relative_error"] = worst;
    if (json)
        std::cout << QJsonDocument(root).toJson().toStdString();
    else
        std::printf("worst |measured / analytic - 1| = %.2e (must be < 1e-2)\n", worst);
    return 0;
}

} // namespace ts::cli
