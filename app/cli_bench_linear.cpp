// tokenscope bench linear: the three ways a linear layer can run here, on the layer shapes of
// ViT-S/16 and ViT-B/16 for the row counts a pass sees (16384: FIT's groups; 1576: batch 8;
// 394: batch 2; 197: batch 1; fewer as ToMe merges tokens): torch's linear (OpenBLAS, with
// whatever kernel OPENBLAS_CORETYPE gives it), oneDNN's matmul (core/nn/onednn_matmul.h) and the
// packed kernel (core/nn/packed_linear.h, blocked over rows at any count), with the weights
// resident in cache (the same layer timed again and again) as a kernel benchmark measures them.
// The "used" column is what ops::linear picks at that size; the measurements are what that rule
// was chosen from.
#include "app/cli_args.h"
#include "app/cli_bench_machine.h"
#include "app/cli_bench_timing.h"
#include "app/command_line.h"
#include "core/nn/onednn_matmul.h"
#include "core/nn/ops.h"
#include "core/nn/packed_linear.h"
#include "core/util/error.h"
#include "core/util/threads.h"

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace ts::cli {

namespace {

struct LinearShape {
    const char* layer;
    int in, out;
};

// One shape at one row count: the three candidates timed (medians), the row in JSON, and the
// printed line with the share of the peak of the one ops::linear uses.
QJsonObject benchLinearRow(const LinearShape& shape, const torch::Tensor& weight, const torch::Tensor& bias,
                           const PackedWeights& packed, int rowCount, int repeats, double peak, bool json)
{
    const torch::Tensor x = torch::randn({rowCount, shape.in});
    torch::Tensor y = torch::empty({rowCount, shape.out});
    const double flops = 2.0 * rowCount * shape.in * shape.out;
    // About a second per candidate at most: fewer repeats for the largest products.
    const int reps = std::max(3, std::min(repeats, static_cast<int>(4e11 / flops)));
    const double torchSeconds = medianSeconds(reps, 2, [&] { torch::nn::functional::linear(x, weight, bias); });
    const double dnnlSeconds = medianSeconds(reps, 2, [&] {
        if (!oneDnnMatmul(x, weight.t(), bias).defined())
            throw Error("bench linear: oneDNN refused " + std::to_string(rowCount) + " rows");
    });
    const double packedSeconds = medianSeconds(reps, 2, [&] { packedMatmul(x.data_ptr<float>(), rowCount, packed, y.data_ptr<float>()); });
    const double a = flops / torchSeconds / 1e9, d = flops / dnnlSeconds / 1e9, b = flops / packedSeconds / 1e9;
    const ops::LinearPath path = ops::linearPath(rowCount, shape.in, shape.out);
    const bool packedUsed = path == ops::LinearPath::Packed, dnnlUsed = path == ops::LinearPath::OneDnn;
    const char* used = packedUsed ? "packed" : dnnlUsed ? "oneDNN" : "torch";
    const double usedRate = packedUsed ? b : dnnlUsed ? d : a;
    if (!json)
        std::printf("%-12s %5d %11.1f %11.1f %11.1f   %-7s %5.0f%%\n", shape.layer, rowCount, a, d, b, used, 100.0 * usedRate / peak);
    return QJsonObject{{"layer", shape.layer}, {"in", shape.in}, {"out", shape.out}, {"rows", rowCount},
                       {"torch_gflops_per_second", a}, {"onednn_gflops_per_second", d},
                       {"packed_gflops_per_second", b}, {"used", used}};
}

void printLinearHeader(const MachineFigures& machine, int repeats)
{
    printMachine(machine);
    const bool wide = PackedLinear::aheadOfOneDnn(PackedLinear::kMaxRows, PackedLinear::kMaxInAtAnyRows + 1);
    const std::string reach = wide ? "up to " + std::to_string(PackedLinear::kMaxRows) + " rows (any rows up to "
                                         + std::to_string(PackedLinear::kMaxInAtAnyRows) + " inputs)"
                                   : "up to " + std::to_string(PackedLinear::kMaxRowsAheadNarrow) + " rows";
    std::printf("packed kernel: %s   packed path %s, oneDNN above%s (median of up to %d)\n", bestGemmKernelName(), reach.c_str(),
                oneDnnEnabled() ? "" : " (off: TOKENSCOPE_MATMUL=torch)", repeats);
    std::printf("%-12s %5s %11s %11s %11s   %-7s %s\n", "layer", "rows", "torch GF/s", "oneDNN GF/s", "packed GF/s", "used",
                "used, of peak");
}

} // namespace

int runBenchLinear(const std::vector<std::string>& argv)
{
    const Args args(argv, {"repeats"}, {"json"});
    const int repeats = static_cast<int>(args.integer("repeats", 50, 3, 10000));
    const bool json = args.flag("json");
    const LinearShape shapes[] = {{"vit-s16 qkv", 384, 1152}, {"vit-s16 fc1", 384, 1536}, {"vit-s16 fc2", 1536, 384},
                                  {"vit-b16 qkv", 768, 2304}, {"vit-b16 fc2", 3072, 768}};
    QJsonArray rows;
    const MachineFigures machine = measureMachine();
    if (!json)
        printLinearHeader(machine, repeats);
    torch::manual_seed(0);
    for (const LinearShape& shape : shapes) {
        // Weights made outside inference mode, as a model's are (inference tensors are never packed).
        const torch::Tensor weight = torch::randn({shape.out, shape.in}) * 0.02, bias = torch::randn({shape.out});
        c10::InferenceMode guard;
        const PackedWeights packed = packWeights(weight, bias);
        for (int rowCount : {16384, 1576, 394, 197, 101, 53, 21, 11})
            rows.append(benchLinearRow(shape, weight, bias, packed, rowCount, repeats, machine.peak.gflopsPerSecond, json));
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
