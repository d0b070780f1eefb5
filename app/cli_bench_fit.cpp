// tokenscope bench fit: FIT against a full-attention ViT of the same width (ViT-S: 384 wide,
// 6 heads, 12 layers) at 1K to 160K patch tokens: seconds and measured peak memory of each,
// full-attention runs refused by the memory estimate marked as such, and FIT's fitted time
// exponent (seconds ~ L^k by least squares on log-log). Targets: FIT at 160K tokens under
// 8 GiB peak; k <= about 1.4 (the FIT abstract: attention cost O(L^{4/3}) at best).
#include "app/cli_args.h"
#include "app/cli_bench_machine.h"
#include "app/command_line.h"
#include "core/fit/fit_api.h"
#include "core/fit/full_attention_baseline.h"
#include "core/nn/flop_counter.h"
#include "core/util/error.h"
#include "core/util/threads.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace ts::cli {
namespace {

constexpr double kGiB = 1024.0 * 1024 * 1024;

// Least-squares slope of log(y) against log(x).
double logLogSlope(const std::vector<double>& x, const std::vector<double>& y)
{
    const double n = static_cast<double>(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double lx = std::log(x[i]), ly = std::log(y[i]);
        sx += lx;
        sy += ly;
        sxx += lx * lx;
        sxy += lx * ly;
    }
    const double denom = n * sxx - sx * sx;
    return denom > 0 ? (n * sxy - sx * sy) / denom : 0.0;
}

struct Row {
    std::int64_t tokens = 0;
    int size = 0;
    FitResult fit;
    double fitFlops = 0.0; // matrix-product FLOPs the FIT run executed
    bool fullRan = false;
    FullAttentionResult full;
    std::int64_t fullEstimate = 0;
    std::string fullRefusal;
};

// One row: FIT at `size` pixels, then full attention unless it is above `fullMaxTokens` or its
// memory estimate refuses it.
Row measureRow(const FitRequest& base, int size, long long fullMaxTokens)
{
    Row row;
    row.size = size;
    row.tokens = std::int64_t(size / 16) * (size / 16);
    FitRequest request = base;
    request.size = size;
    std::fprintf(stderr, "FIT at %lld tokens...\n", static_cast<long long>(row.tokens));
    {
        FlopCountScope counted; // the products the run executes, for its GFLOP/s
        row.fit = runFit(request);
        row.fitFlops = counted.tally().matmulTotal();
    }
    std::fprintf(stderr, "  %.2f s, peak %s\n", row.fit.seconds, formatBytes(double(row.fit.peakMemoryBytes)).c_str());

    FullAttentionRequest full;
    full.size = size;
    full.width = 384;
    full.heads = 6;
    full.depth = 12;
    row.fullEstimate = static_cast<std::int64_t>(estimateFullAttentionRun(full).totalBytes());
    try {
        if (row.tokens > fullMaxTokens) {
            // Still say whether the estimate would have refused it.
            requireMemory(estimateFullAttentionRun(full), 0, "full attention at " + std::to_string(row.tokens) + " tokens");
            row.fullRefusal = "skipped (--full-max-tokens " + std::to_string(fullMaxTokens) + ")";
            std::fprintf(stderr, "full attention at %lld tokens: %s\n", static_cast<long long>(row.tokens), row.fullRefusal.c_str());
            return row;
        }
        std::fprintf(stderr, "full attention at %lld tokens...\n", static_cast<long long>(row.tokens));
        row.full = runFullAttentionVit(full);
        row.fullRan = true;
        std::fprintf(stderr, "  %.2f s, peak %s\n", row.full.seconds, formatBytes(double(row.full.peakMemoryBytes)).c_str());
    } catch (const Error& e) {
        row.fullRefusal = e.what();
        std::fprintf(stderr, "  refused: %s\n", e.what());
    }
    return row;
}

struct Summary {
    const Row* largest = nullptr;
    double exponent = 0.0;      // seconds ~ tokens^k
    bool memoryTarget = false;  // under 8 GiB at 160K tokens
    bool timeTarget = false;    // at most 20 s at 160K tokens
};

Summary summarise(const std::vector<Row>& rows)
{
    Summary s;
    std::vector<double> tokens, seconds;
    for (const Row& r : rows) {
        tokens.push_back(double(r.tokens));
        seconds.push_back(r.fit.seconds);
    }
    s.exponent = rows.size() >= 2 ? logLogSlope(tokens, seconds) : 0.0;
    s.largest = rows.empty() ? nullptr : &rows.back();
    s.memoryTarget = s.largest && s.largest->tokens >= 160000 && double(s.largest->fit.peakMemoryBytes) < 8 * kGiB;
    s.timeTarget = s.largest && s.largest->tokens >= 160000 && s.largest->fit.seconds <= 20.0;
    return s;
}

double gflops(const Row& r) { return r.fit.seconds > 0 ? r.fitFlops / r.fit.seconds / 1e9 : 0.0; }

void printJson(const std::vector<Row>& rows, const FitRequest& base, const MachineFigures& machine, const Summary& s)
{
    QJsonArray out;
    for (const Row& r : rows) {
        QJsonObject o{{"tokens", double(r.tokens)},
                      {"image_px", r.size},
                      {"fit_groups", r.fit.groups()},
                      {"fit_seconds", r.fit.seconds},
                      {"fit_flops", r.fitFlops},
                      {"fit_gflops_per_second", gflops(r)},
                      {"fit_peak_memory_bytes", double(r.fit.peakMemoryBytes)},
                      {"fit_estimated_memory_bytes", double(r.fit.estimatedMemoryBytes)},
                      {"full_estimated_memory_bytes", double(r.fullEstimate)},
                      {"full_refused", !r.fullRan && r.fullRefusal.rfind("skipped", 0) != 0},
                      {"full_skipped", r.fullRefusal.rfind("skipped", 0) == 0}};
        if (r.fullRan) {
            o["full_seconds"] = r.full.seconds;
            o["full_peak_memory_bytes"] = double(r.full.peakMemoryBytes);
        } else {
            o["full_refusal"] = QString::fromStdString(r.fullRefusal);
        }
        out.append(o);
    }
    QJsonObject doc{{"benchmark", "fit"},
                    {"threads", torchThreads()},
                    {"width", 384},
                    {"heads", 6},
                    {"pattern", QString::fromStdString(rows.front().fit.pattern.text())},
                    {"group_size", rows.front().fit.config.groupSize},
                    {"tokens_per_group", rows.front().fit.tokensPerGroup()},
                    {"latents_per_group", rows.front().fit.config.latentsPerGroup},
                    {"chunk_tokens", base.chunkTokens},
                    {"machine", QJsonDocument::fromJson(QByteArray::fromStdString(machineJson(machine).dump())).object()},
                    {"rows", out},
                    {"target_160k_at_most_20_seconds", s.timeTarget},
                    {"fit_time_exponent", s.exponent},
                    {"target_memory_160k_under_8gib", s.memoryTarget},
                    {"target_time_exponent_at_most_1_4", s.exponent <= 1.4}};
    std::cout << QJsonDocument(doc).toJson(QJsonDocument::Indented).toStdString();
}

void printTable(const std::vector<Row>& rows, const FitRequest& base, const MachineFigures& machine, const Summary& s)
{
    std::printf("FIT %s, g=%d (%d tokens/group), m=%d latents/group, width 384, 6 heads, chunks of %d tokens; %d threads\n",
                rows.front().fit.pattern.text().c_str(), rows.front().fit.config.groupSize, rows.front().fit.tokensPerGroup(), rows.front().fit.config.latentsPerGroup,
                base.chunkTokens, torchThreads());
    printMachine(machine);
    std::printf("full attention: 12 ViT-S blocks over all tokens\n\n");
    std::printf("%8s %7s | %9s %8s %7s %10s %10s | %9s %10s %10s\n", "tokens", "image", "FIT s", "GFLOP/s", "of peak",
                "FIT peak", "FIT est.", "full s", "full peak", "full est.");
    for (const Row& r : rows) {
        std::printf("%8lld %5dpx | %9.2f %8.1f %6.0f%% %10s %10s | ", static_cast<long long>(r.tokens), r.size, r.fit.seconds,
                    gflops(r), 100.0 * gflops(r) / machine.peak.gflopsPerSecond,
                    formatBytes(double(r.fit.peakMemoryBytes)).c_str(), formatBytes(double(r.fit.estimatedMemoryBytes)).c_str());
        if (r.fullRan)
            std::printf("%9.2f %10s %10s\n", r.full.seconds, formatBytes(double(r.full.peakMemoryBytes)).c_str(),
                        formatBytes(double(r.fullEstimate)).c_str());
        else
            std::printf("%9s %10s %10s\n", r.fullRefusal.rfind("skipped", 0) == 0 ? "skipped" : "refused", "-",
                        formatBytes(double(r.fullEstimate)).c_str());
    }
    std::printf("\nFIT time exponent (seconds ~ L^k, least squares over %zu sizes): k = %.3f  [target <= 1.4: %s]\n", rows.size(),
                s.exponent, s.exponent <= 1.4 ? "met" : "missed");
    if (s.largest)
        std::printf("FIT peak memory at %lld tokens: %s  [target < 8 GiB at 160K tokens: %s]\n",
                    static_cast<long long>(s.largest->tokens), formatBytes(double(s.largest->fit.peakMemoryBytes)).c_str(),
                    s.largest->tokens < 160000 ? "not run" : s.memoryTarget ? "met" : "missed");
    if (s.largest)
        std::printf("FIT time at %lld tokens: %.1f s, %s  [target <= 20 s at 160K tokens: %s]\n",
                    static_cast<long long>(s.largest->tokens), s.largest->fit.seconds,
                    rateWithShare(gflops(*s.largest), machine).c_str(),
                    s.largest->tokens < 160000 ? "not run" : s.timeTarget ? "met" : "missed");
}

} // namespace

int runBenchFit(const std::vector<std::string>& argv)
{
    const Args args(argv, {"max-tokens", "full-max-tokens", "group", "latents", "pattern", "chunk-tokens"}, {"json"});
    const bool json = args.flag("json");
    const long long maxTokens = args.integer("max-tokens", 160000, 1024, 160000);
    // Full-attention runs above this are skipped (not refused: they may fit, but take long).
    const long long fullMaxTokens = args.integer("full-max-tokens", 160000, 0, 160000);
    FitRequest base;
    base.config.dataWidth = base.config.latentWidth = 384;
    base.config.heads = base.config.latentHeads = 6;
    base.config.groupSize = static_cast<int>(args.integer("group", 8, 1, 400));
    base.config.latentsPerGroup = static_cast<int>(args.integer("latents", 4, 1, 4096));
    base.config.pattern = args.value("pattern", "L(4)G(2)L(4)G(2)"); // 8 local + 4 global = 12 layers
    base.chunkTokens = static_cast<int>(args.integer("chunk-tokens", 8192, 64, 1 << 22));
    base.config.validate();
    if (base.config.layerPattern().transformerLayers() != 12)
        std::fprintf(stderr, "note: the pattern has %d transformer layers; the comparison assumes 12\n",
                     base.config.layerPattern().transformerLayers());

    // Warm up LibTorch's kernels and thread pool so the first row is not penalised.
    {
        FitRequest warm = base;
        warm.size = 256;
        warm.config.groupSize = std::min(warm.config.groupSize, 16);
        runFit(warm);
    }
    std::vector<Row> rows;
    for (const int size : {512, 1024, 2048, 4096, 6400}) {
        if (std::int64_t(size / 16) * (size / 16) > maxTokens)
            break;
        rows.push_back(measureRow(base, size, fullMaxTokens));
    }
    const MachineFigures machine = measureMachine();
    const Summary summary = summarise(rows);
    if (json)
        printJson(rows, base, machine, summary);
    else
        printTable(rows, base, machine, summary);
    return 0;
}

} // namespace ts::cli
