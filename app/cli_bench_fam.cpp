// tokenscope bench fam: a 12-layer ViT-S-width model in FAM mode (block 64, memory 1, FAM 8)
// streaming 4K..1M tokens: seconds, tokens/s and peak tensor memory per length, checked against
// the targets (peak at the longest within 10 % of the shortest, tokens/s within 15 %), and the
// time to render the 1M-token FAM mask at 1024 pixels.
#include "app/cli_args.h"
#include "app/cli_bench_machine.h"
#include "app/command_line.h"
#include "core/fam/fam_api.h"
#include "core/masks/mask_raster.h"
#include "core/masks/mask_spec.h"
#include "core/util/threads.h"
#include "core/vit/vit_handle.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <iostream>

namespace ts::cli {
namespace {

// CPU seconds of the whole process (all threads): steadier than wall time on a shared machine.
double processCpuSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double maskRenderSeconds(std::int64_t length, int pixels)
{
    const auto start = std::chrono::steady_clock::now();
    MaskSpec spec;
    spec.kind = "fam";
    spec.length = length;
    spec.block = 64;
    spec.memory = 1;
    spec.fam = 8;
    auto mask = makeMask(spec);
    const MaskRaster raster = rasterizeMask(*mask, fullRegion(*mask), pixels, pixels);
    mask->allowedPairs();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The model streamed: the preset, or fewer layers of the same width with --depth.
FamRequest benchFamRequest(const Args& args)
{
    ModelSource source;
    source.preset = args.value("preset", "vit-s16"); // 12 layers, width 384, 6 heads
    FamRequest request;
    request.model = buildVit(source);
    if (args.has("depth")) {
        // Fewer layers of the same width, for a quick sweep on a slow machine (not the target setting).
        VitConfig shallow = vitConfigOf(*request.model);
        shallow.depth = static_cast<int>(args.integer("depth", 1, shallow.depth));
        auto model = std::make_shared<VitModel>();
        model->source = source;
        model->net = VisionTransformer(shallow);
        model->net->initialiseRandom(source.seed);
        model->net->eval();
        request.model = model;
    }
    request.block = 64;
    request.memory = 1;
    request.fam = 8;
    return request;
}

// Every length's run, and the shortest length's tokens/s measured beside each.
struct FamSweep {
    std::vector<FamResult> results;
    std::vector<double> referenceRates;
    nlohmann::json rows = nlohmann::json::array();
};

// Streams each length (printing its row as it ends unless `json`).
FamSweep runFamSweep(FamRequest request, const std::vector<int>& lengths, double peak, bool json)
{
    // One short untimed run first (first-call allocations, thread start-up), then the lengths;
    // before each longer length the shortest runs again, so the speed target compares lengths
    // measured side by side rather than a 2-second run against a 10-minute one on a machine
    // whose load drifts.
    request.streamLength = std::min(lengths.front(), 4 * request.block);
    runFam(request);
    FamSweep sweep;
    std::vector<double>& referenceRates = sweep.referenceRates;
    for (int length : lengths) {
        if (length != lengths.front() || !referenceRates.empty()) {
            request.streamLength = lengths.front();
            referenceRates.push_back(runFam(request).tokensPerSecond);
        }
        request.streamLength = length;
        const double cpuStart = processCpuSeconds();
        sweep.results.push_back(runFam(request));
        const double cpu = processCpuSeconds() - cpuStart;
        const FamResult& r = sweep.results.back();
        // The compute limit: the tokens per second this run's FLOPs allow at the arithmetic peak.
        const double gflops = r.flops.matmulTotal() / r.seconds / 1e9;
        const double limit = peak > 0 ? length / (r.flops.matmulTotal() / (peak * 1e9)) : 0.0;
        if (length == lengths.front() && referenceRates.empty())
            referenceRates.push_back(r.tokensPerSecond);
        sweep.rows.push_back({{"tokens", length},
                              {"reference_tokens_per_second", referenceRates.back()},
                              {"seconds", r.seconds},
                              {"tokens_per_second", r.tokensPerSecond},
                              {"peak_memory_bytes", r.peakMemoryBytes},
                              {"estimated_memory_bytes", r.estimatedMemoryBytes},
                              {"cpu_seconds", cpu},
                              {"tokens_per_cpu_second", length / cpu},
                              {"gflops", r.flops.matmulTotal() / 1e9},
                              {"gflops_per_second", gflops},
                              {"share_of_peak", gflops / peak},
                              {"tokens_per_second_at_peak", limit}});
        if (!json) {
            std::printf("%10d %10.2f %12.0f %10.0f %9.1f %7.0f%% %10.0f %14lld %14lld %12.0f\n", length, r.seconds,
                        r.tokensPerSecond, length / cpu, gflops, 100.0 * gflops / peak, limit,
                        static_cast<long long>(r.peakMemoryBytes), static_cast<long long>(r.estimatedMemoryBytes),
                        referenceRates.back());
            std::fflush(stdout);
        }
    }
    return sweep;
}

// The targets: peak memory and tokens/s of the longest length against the shortest, the mask render.
struct FamVerdict {
    double render = 0, peakRatio = 0, reference = 0, speedRatio = 0;
    bool peakOk = false, speedOk = false, renderOk = false;
};

FamVerdict judgeFamSweep(const FamSweep& sweep)
{
    FamVerdict v;
    v.render = maskRenderSeconds(1'000'000, 1024);
    const FamResult& first = sweep.results.front();
    const FamResult& last = sweep.results.back();
    v.peakRatio = static_cast<double>(last.peakMemoryBytes) / static_cast<double>(first.peakMemoryBytes);
    std::vector<double> sorted = sweep.referenceRates;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t mid = sorted.size() / 2; // median tokens/s of the shortest length
    v.reference = sorted.size() % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
    v.speedRatio = last.tokensPerSecond / v.reference;
    v.peakOk = v.peakRatio <= 1.10;
    v.speedOk = v.speedRatio >= 0.85;
    v.renderOk = v.render < 1.0;
    return v;
}

void printFamJson(const VitConfig& config, const MachineFigures& machine, const FamSweep& sweep, const FamVerdict& v)
{
    nlohmann::json j;
    j["model"] = vitDisplayName(config);
    j["layers"] = config.depth;
    j["width"] = config.width;
    j["block"] = 64;
    j["memory"] = 1;
    j["fam"] = 8;
    j["threads"] = torchThreads();
    j["machine"] = machineJson(machine);
    j["runs"] = sweep.rows;
    j["peak_ratio_longest_to_shortest"] = v.peakRatio;
    j["tokens_per_second_ratio_longest_to_shortest"] = v.speedRatio;
    j["shortest_reference_tokens_per_second"] = sweep.referenceRates;
    j["mask_render_seconds_1m_1024px"] = v.render;
    j["targets_met"] = {{"peak_within_10_percent", v.peakOk}, {"speed_within_15_percent", v.speedOk},
                        {"mask_render_under_1s", v.renderOk}};
    std::cout << j.dump(1) << "\n";
}

void printFamVerdict(const std::vector<int>& lengths, double peak, const FamSweep& sweep, const FamVerdict& v)
{
    const FamResult& last = sweep.results.back();
    std::printf("peak memory %d vs %d tokens: x%.3f (target <= 1.10) %s\n", lengths.back(), lengths.front(), v.peakRatio,
                v.peakOk ? "met" : "MISSED");
    std::printf("tokens/s %d vs %d tokens: x%.3f (median of %zu runs of %d tokens: %.0f tokens/s; target >= 0.85) %s\n",
                lengths.back(), lengths.front(), v.speedRatio, sweep.referenceRates.size(), lengths.front(), v.reference,
                v.speedOk ? "met" : "MISSED");
    std::printf("1M-token FAM mask at 1024 px: %.3f s (target < 1 s) %s\n", v.render, v.renderOk ? "met" : "MISSED");
    const double share = last.flops.matmulTotal() / last.seconds / 1e9 / peak;
    std::printf("streaming at %.0f %% of its compute limit (tokens/s against 'at peak'; target >= 75 %%) %s\n",
                100.0 * share, share >= 0.75 ? "met" : "MISSED");
}

} // namespace

int runBenchFam(const std::vector<std::string>& argv)
{
    const Args args(argv, {"lengths", "preset", "depth"}, {"json"});
    const bool json = args.flag("json");
    std::vector<int> lengths = {4096, 16384, 65536, 262144, 1048576};
    if (args.has("lengths"))
        lengths = parseIntegerList(args.value("lengths"), "--lengths");
    if (lengths.empty())
        throw Error("--lengths: give at least one length");

    const FamRequest request = benchFamRequest(args);
    const VitConfig& config = vitConfigOf(*request.model);
    const MachineFigures machine = measureMachine();
    const double peak = machine.peak.gflopsPerSecond;
    if (!json) {
        printMachine(machine);
        std::printf("%s (%d layers, width %d), FAM block 64, memory 1, FAM 8, %d threads\n"
                    "%10s %10s %12s %10s %9s %8s %10s %14s %14s %12s\n",
                    vitDisplayName(config).c_str(), config.depth, config.width, torchThreads(), "tokens", "seconds",
                    "tokens/s", "tok/cpu-s", "GFLOP/s", "of peak", "at peak", "peak bytes", "estimate", "shortest t/s");
    }
    const FamSweep sweep = runFamSweep(request, lengths, peak, json);
    const FamVerdict verdict = judgeFamSweep(sweep);
    if (json)
        printFamJson(config, machine, sweep, verdict);
    else
        printFamVerdict(lengths, peak, sweep, verdict);
    return 0;
}

} // namespace ts::cli
