#pragma once
// What every `tokenscope bench` command measures and prints first, so that each GFLOP/s figure
// stands beside what this machine can do: the processor's arithmetic peak on LibTorch's threads
// (core/nn/arithmetic_peak.h), the OpenBLAS kernel in use (core/util/blas_info.h: a forced
// OPENBLAS_CORETYPE changes both speed and rounding), and a plain 1024^3 product through torch.
#include "core/nn/arithmetic_peak.h"
#include "core/util/blas_info.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ts::cli {

struct MachineFigures {
    ArithmeticPeak peak;
    BlasInfo blas;
    double matmulGflops = 0.0; // torch::mm of two 1024 x 1024 float matrices, median of 20
};

MachineFigures measureMachine();

// Two lines: threads, instruction set and peak; the BLAS kernel and the matmul with its share.
void printMachine(const MachineFigures& m);

nlohmann::json machineJson(const MachineFigures& m);

// "212.4 GFLOP/s (47 % of peak)": a rate with its share of the measured peak.
std::string rateWithShare(double gflops, const MachineFigures& m);

} // namespace ts::cli
