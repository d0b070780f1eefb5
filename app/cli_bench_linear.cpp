// tokenscope bench linear: the packed linear kernel (core/nn/packed_linear.h) against torch's
// linear (OpenBLAS) on the layer shapes of ViT-S/16 and ViT-B/16, for the row counts a pass sees
// (394: batch 2; 197: batch 1; fewer as ToMe merges tokens), with the weights resident in cache (the same layer timed
// again and again) as a kernel benchmark measures them.
#include "app/cli_args.h"
#include "app/cli_bench_machine.h"
#include "app/cli_bench_timing.h"
#include "app/command_line.h"
#include "core/nn/packed_linear.h"
#include "core/util/error.h"
#include "core/util/threads.h"

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <iostream>

namespace ts::cli {

int runBenchLinear(const std::vector<std::string>& argv)
{
    const Args args(argv, {"repeats"}, {"json"});
    const int repeats = static_cast<int>(args.integer("repeats", 50, 3, 10000));
    const bool json = args.flag("json");
    struct Shape {
        const char* layer;
        int in, out;
    };
    const Shape shapes[] = {{"vit-s16 qkv", 384, 1152}, {"vit-s16 fc1", 384, 1536}, {"vit-s16 fc2", 1536, 384},
                            {"vit-b16 qkv", 768, 2304}, {"vit-b16 fc2", 3072, 768}};
    QJsonArray rows;
    const MachineFigures machine = measureMachine();
    const double peak = machine.peak.gflopsPerSecond;
    if (!json) {
        printMachine(machine);
        std::printf("packed kernel: %s   packed path up to %lld rows (median of %d)\n", bestGemmKernelName(),
                    static_cast<long long>(PackedLinear::kMaxRows), repeats);
        std::printf("%-12s %5s %12s %8s %12s %8s %8s\n", "layer", "rows", "torch GF/s", "of peak", "packed GF/s",
                    "of peak", "ratio");
    }
    torch::manual_seed(0);
    for (const Shape& shape : shapes) {
        // Weights made outside inference mode, as a model's are (inference tensors are never packed).
        const torch::Tensor weight = torch::randn({shape.out, shape.in}) * 0.02, bias = torch::randn({shape.out});
        c10::InferenceMode guard;
        PackedLinear packed;
        if (!packed.tryForward(torch::randn({1, shape.in}), weight, bias).defined())
            throw Error("bench linear: the packed path did not run (no memory to pack?)");
        for (int rowCount : {394, 197, 101, 53, 21, 11}) {
            const torch::Tensor x = torch::randn({rowCount, shape.in});
            const double flops = 2.0 * rowCount * shape.in * shape.out;
            const double torchSeconds = medianSeconds(repeats, 3, [&] { torch::nn::functional::linear(x, weight, bias); });
            const double packedSeconds = medianSeconds(repeats, 3, [&] {
                if (!packed.tryForward(x, weight, bias).defined())
                    throw Error("bench linear: the packed path did not run at " + std::to_string(rowCount) + " rows");
            });
            const double a = flops / torchSeconds / 1e9, b = flops / packedSeconds / 1e9;
            rows.append(QJsonObject{{"layer", shape.layer}, {"in", shape.in}, {"out", shape.out}, {"rows", rowCount},
                                    {"torch_gflops_per_second", a}, {"packed_gflops_per_second", b}});
            if (!json)
                std::printf("%-12s %5d %12.1f %7.0f%% %12.1f %7.0f%% %7.2fx\n", shape.layer, rowCount, a, 100.0 * a / peak,
                            b, 100.0 * b / peak, b / a);
        }
    }
    if (json)
        std::cout << QJsonDocument(QJsonObject{{"threads", torchThreads()}, {"kernel", bestGemmKernelName()},
                                               {"machine", QJsonDocument::fromJson(QByteArray::fromStdString(
                                                               machineJson(machine).dump())).object()},
                                               {"runs", rows}})
                         .toJson()
                         .toStdString();
    return 0;
}

} // namespace ts::cli
