#include "app/cli_bench_machine.h"

#include "app/cli_bench_timing.h"
#include "core/util/threads.h"

#include <c10/core/InferenceMode.h>
#include <torch/torch.h>

#include <cstdio>

namespace ts::cli {

MachineFigures measureMachine()
{
    MachineFigures m;
    m.peak = measureArithmeticPeak();
    m.blas = blasInfo();
    c10::InferenceMode guard;
    const torch::Tensor a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
    m.matmulGflops = 2.0 * 1024 * 1024 * 1024 / medianSeconds(20, 1, [&] { torch::mm(a, b); }) / 1e9;
    return m;
}

std::string rateWithShare(double gflops, const MachineFigures& m)
{
    char text[96];
    std::snprintf(text, sizeof text, "%.1f GFLOP/s (%.0f %% of peak)", gflops,
                  m.peak.gflopsPerSecond > 0 ? 100.0 * gflops / m.peak.gflopsPerSecond : 0.0);
    return text;
}

void printMachine(const MachineFigures& m)
{
    std::printf("machine: %d threads, %s, arithmetic peak %.1f GFLOP/s (float32 FMA on registers)\n", m.peak.threads,
                m.peak.isa.c_str(), m.peak.gflopsPerSecond);
    std::printf("%s\n1024^3 matmul (torch::mm): %s\n", describeBlas(m.blas).c_str(),
                rateWithShare(m.matmulGflops, m).c_str());
}

nlohmann::json machineJson(const MachineFigures& m)
{
    return {{"threads", m.peak.threads},
            {"isa", m.peak.isa},
            {"peak_gflops_per_second", m.peak.gflopsPerSecond},
            {"blas", m.blas.openblas ? "OpenBLAS" : "other"},
            {"openblas_kernel", m.blas.kernel},
            {"openblas_config", m.blas.config},
            {"openblas_coretype", m.blas.coretype},
            {"matmul_1024_gflops_per_second", m.matmulGflops}};
}

} // namespace ts::cli
