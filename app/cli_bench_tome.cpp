// tokenscope bench tome: ToMe's measured speed-up against its FLOP ratio, and the ViT's
// sustained GFLOP/s against the machine's measured arithmetic peak and a plain 1024^3 matmul in
// the same run, with the OpenBLAS kernel that ran (app/cli_bench_machine.h).
#include "app/cli_args.h"
#include "app/cli_bench_machine.h"
#include "app/cli_bench_timing.h"
#include "app/command_line.h"
#include "core/nn/flop_counter.h"
#include "core/tome/tome_api.h"
#include "core/util/threads.h"

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <iostream>

namespace ts::cli {
namespace {

// Read bandwidth from memory: the sum of a 256 MiB buffer, larger than the caches, on all threads.
double memoryReadGBps()
{
    c10::InferenceMode guard;
    const torch::Tensor buffer = torch::ones({64 << 20}); // 64 Mi floats
    return static_cast<double>(buffer.numel()) * 4.0 / medianSeconds(5, 1, [&] { buffer.sum(); }) / 1e9;
}

// What every row is measured against, and where the rows go.
struct TomeBench {
    MachineFigures machine;
    double bandwidth = 0;
    int repeats = 5;
    bool json = false;
    QJsonArray rows;
    QJsonObject weightStream;
    bool targetsMet = true;
};

// The three r of one model at one batch size: a row each, checked against the targets.
void benchTomeBatch(TomeBench& bench, const char* preset, const VitModelPtr& model, const cv::Mat& image, int batch)
{
    const double matmul = bench.machine.matmulGflops, peak = bench.machine.peak.gflopsPerSecond;
    const std::vector<int> rs = {0, 8, 16};
    std::vector<ToMeRequest> requests;
    for (int r : rs) {
        ToMeRequest request;
        request.model = model;
        request.imageRgb = image;
        request.schedule = ToMeSchedule::constant(r);
        request.measurePlain = false;
        request.recordSources = false;
        request.batch = batch;
        runToMe(request); // warm up
        requests.push_back(request);
    }
    // Interleaved (r = 0, 8, 16, 0, 8, 16, ...) so that a slow stretch of a shared
    // machine lands on every r alike instead of on whichever ran then.
    std::vector<std::vector<double>> times(rs.size());
    std::vector<double> flops(rs.size(), 0.0);
    for (int i = 0; i < bench.repeats; ++i)
        for (std::size_t k = 0; k < rs.size(); ++k) {
            const ToMeResult result = runToMe(requests[k]);
            times[k].push_back(result.secondsMerged);
            flops[k] = result.flopsMerged.matmulTotal();
        }
    const double baseSeconds = median(times[0]), baseFlops = flops[0];
    for (std::size_t k = 0; k < rs.size(); ++k) {
        const int r = rs[k];
        const double t = median(times[k]);
        const double speedup = baseSeconds / t, flopRatio = baseFlops / flops[k];
        const double gflops = flops[k] / t / 1e9;
        if (r > 0 && speedup < 0.85 * flopRatio)
            bench.targetsMet = false;
        if (r == 0 && std::string(preset) == "vit-b16" && gflops < 0.6 * matmul)
            bench.targetsMet = false;
        if (gflops < 0.75 * peak) // every forward near the machine, whatever OpenBLAS's kernel
            bench.targetsMet = false;
        bench.rows.append(QJsonObject{{"model", preset}, {"batch", batch}, {"r", r}, {"median_seconds", t},
                                      {"flops", flops[k]}, {"gflops_per_second", gflops}, {"speedup", speedup},
                                      {"flop_ratio", flopRatio}, {"share_of_peak", gflops / peak}});
        if (!bench.json)
            std::printf("%-9s %5d %3d %10.1f %8.2f %10.1f %6.0f%% %8.2fx %8.2fx %7.0f%%\n", preset, batch, r, t * 1e3,
                        flops[k] / 1e9, gflops, 100.0 * gflops / peak, speedup, flopRatio,
                        r > 0 ? 100.0 * speedup / flopRatio : 100.0);
    }
}

// One model: its weight-read floor, then batch 1 and batch 8.
void benchTomePreset(TomeBench& bench, const char* preset, const cv::Mat& image)
{
    ModelSource source;
    source.preset = preset;
    VitModelPtr model = buildVit(source);
    // Every pass reads all the weights once, whatever r is: at batch 1 that read is a floor
    // that merging does not lower, which caps the speed-up of the last, smallest blocks.
    const double weightBytes = vitConfigOf(*model).parameterCount() * 4.0;
    const double floorSeconds = weightBytes / (bench.bandwidth * 1e9);
    bench.weightStream[preset] = QJsonObject{{"weight_bytes", weightBytes}, {"floor_seconds", floorSeconds}};
    if (!bench.json)
        std::printf("%s: %.0f MB of weights read per pass: at least %.1f ms at that bandwidth\n", preset, weightBytes / 1e6,
                    floorSeconds * 1e3);
    for (int batch : {1, 8})
        benchTomeBatch(bench, preset, model, image, batch);
}

} // namespace

int runBenchTome(const std::vector<std::string>& argv)
{
    const Args args(argv, {"repeats"}, {"json"});
    TomeBench bench;
    bench.repeats = static_cast<int>(args.integer("repeats", 5, 1, 100));
    bench.json = args.flag("json");
    bench.machine = measureMachine();
    bench.bandwidth = memoryReadGBps();
    if (!bench.json) {
        printMachine(bench.machine);
        std::printf("memory read: %.1f GB/s (256 MiB)\n", bench.bandwidth);
        std::printf("%-9s %5s %3s %10s %8s %10s %7s %9s %9s %8s\n", "model", "batch", "r", "median ms", "GFLOP", "GFLOP/s",
                    "of peak", "speedup", "FLOP ratio", "share");
    }
    const cv::Mat image(224, 224, CV_8UC3, cv::Scalar(120, 140, 90));
    cv::Mat noise(224, 224, CV_8UC3);
    cv::randu(noise, 0, 255);
    cv::Mat textured = image * 0.5 + noise * 0.5;
    for (const char* preset : {"vit-s16", "vit-b16"})
        benchTomePreset(bench, preset, textured);
    if (bench.json) {
        const QJsonObject machine = QJsonDocument::fromJson(QByteArray::fromStdString(machineJson(bench.machine).dump())).object();
        QJsonObject out{{"threads", torchThreads()}, {"matmul_gflops_per_second", bench.machine.matmulGflops},
                        {"machine", machine}, {"memory_read_gb_per_second", bench.bandwidth},
                        {"weight_stream", bench.weightStream}, {"runs", bench.rows}, {"targets_met", bench.targetsMet}};
        std::cout << QJsonDocument(out).toJson().toStdString();
    } else {
        std::printf("share = measured speedup / FLOP ratio (target >= 85%%); ViT-B r=0 GFLOP/s target >= 60%% of the matmul;\n"
                    "of peak = GFLOP/s / the arithmetic peak above (matrix products only, as the FLOP counter counts;\n"
                    "target >= 75%% for every row).\n"
                    "targets %s\n", bench.targetsMet ? "met" : "NOT met");
    }
    return 0;
}

} // namespace ts::cli
