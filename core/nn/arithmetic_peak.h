#pragma once
// The processor's measured arithmetic peak for float32: fused multiply-adds on registers only,
// on every LibTorch thread at once, with the widest instruction set the kernels use here
// (core/nn/vec16.h). It is the ceiling any product or forward pass on this machine can approach;
// the benchmarks print their GFLOP/s beside it, and beside which OpenBLAS kernel ran
// (core/util/blas_info.h), because a forced older kernel (OPENBLAS_CORETYPE=Haswell on an
// AVX-512 machine) runs large products at about half of it.
//
// Each thread runs 16 independent FMA chains of one vector register each (enough to cover a
// 4-cycle latency on two FMA pipes) for a fixed count, and the peak is the total FLOPs (2 per
// multiply-add per lane) over the slowest thread's wall time, best of a few tries. Torch-free.
#include <string>

namespace ts {

struct ArithmeticPeak {
    double gflopsPerSecond = 0.0; // all threads together
    int threads = 0;
    std::string isa;              // "avx512", "avx2" or "portable"
};

// Takes about 0.2-0.5 s. `threads` <= 0 means LibTorch's current thread count.
ArithmeticPeak measureArithmeticPeak(int threads = 0);

} // namespace ts
