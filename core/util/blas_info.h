#pragma once
// Which BLAS library and kernel the process runs: OpenBLAS picks a kernel for the processor at
// load time, unless OPENBLAS_CORETYPE forces one (some AMD Zen machines set Haswell, because
// older OpenBLAS builds misbehave there), and the kernel sets both the speed of large products
// and their rounding. The benchmarks print it beside every GFLOP/s figure. The functions are
// looked up at run time (OpenBLAS's openblas_get_corename / openblas_get_config), so a process
// whose BLAS is another library says so instead of failing to link. Torch-free.
#include <string>

namespace ts {

struct BlasInfo {
    bool openblas = false;
    std::string kernel;   // openblas_get_corename(), e.g. "Haswell", "SkylakeX", "Zen"
    std::string config;   // openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY ..."
    std::string coretype; // the OPENBLAS_CORETYPE environment variable ("" when unset)
};

BlasInfo blasInfo();

// One line: "OpenBLAS kernel Haswell (OPENBLAS_CORETYPE=Haswell; OpenBLAS 0.3.21 ...)", or a line
// saying that the BLAS in use is not OpenBLAS.
std::string describeBlas(const BlasInfo& info);

} // namespace ts
