#include "core/nn/arithmetic_peak.h"

#include "core/nn/vec16.h"
#include "core/util/threads.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace ts {
namespace {

// One thread's FMA loop, written once and compiled per instruction set below: kChains
// independent multiply-adds per step, as many as leave the register file room for the two
// operands (AVX-512: 16 of its 32 registers; AVX2 and SSE: 12 of 16; more spill to the stack and
// measure the stack, not the arithmetic). The multiplier slightly below 1 keeps every chain
// bounded; the result is returned so that the compiler cannot drop the loop.
template <typename V, int kLanes, int kChains>
inline __attribute__((always_inline)) float fmaLoop(long iterations)
{
    V acc[kChains];
    for (int c = 0; c < kChains; ++c)
        for (int l = 0; l < kLanes; ++l)
            acc[c][l] = 0.001f * static_cast<float>(c + l);
    V m, a;
    for (int l = 0; l < kLanes; ++l) {
        m[l] = 0.999999f;
        a[l] = 1e-7f;
    }
    for (long i = 0; i < iterations; ++i) {
        // An empty asm that claims to change the multiplier keeps GCC from folding iterations.
        __asm__ volatile("" : "+x"(m));
        for (int c = 0; c < kChains; ++c)
            acc[c] = acc[c] * m + a;
    }
    float sum = 0.0f;
    for (int c = 0; c < kChains; ++c)
        for (int l = 0; l < kLanes; ++l)
            sum += acc[c][l];
    return sum;
}

constexpr int kChainsWide = 16, kChainsNarrow = 12;

__attribute__((target("avx512f,fma"))) float loopAvx512(long n) { return fmaLoop<simd::Vec16, 16, kChainsWide>(n); }
__attribute__((target("avx2,fma"))) float loopAvx2(long n) { return fmaLoop<simd::Vec8, 8, kChainsNarrow>(n); }
float loopPortable(long n) { return fmaLoop<simd::Vec4, 4, kChainsNarrow>(n); }

int chains(simd::Isa isa) { return isa == simd::Isa::Avx512 ? kChainsWide : kChainsNarrow; }

int lanes(simd::Isa isa) { return isa == simd::Isa::Avx512 ? 16 : isa == simd::Isa::Avx2 ? 8 : 4; }

float runLoop(simd::Isa isa, long n)
{
    switch (isa) {
    case simd::Isa::Avx512: return loopAvx512(n);
    case simd::Isa::Avx2: return loopAvx2(n);
    case simd::Isa::Portable: break;
    }
    return loopPortable(n);
}

} // namespace

ArithmeticPeak measureArithmeticPeak(int threads)
{
    ArithmeticPeak peak;
    peak.threads = threads > 0 ? threads : torchThreads();
    const simd::Isa isa = simd::bestIsa();
    peak.isa = isa == simd::Isa::Avx512 ? "avx512" : isa == simd::Isa::Avx2 ? "avx2" : "portable";
    const long iterations = 4'000'000; // 16 chains x 16 lanes x 2 FLOP: 2 GFLOP a thread at AVX-512
    const double flopsPerThread = 2.0 * chains(isa) * lanes(isa) * static_cast<double>(iterations);
    std::vector<float> sinks(static_cast<std::size_t>(peak.threads), 0.0f);
    double best = 0.0;
    for (int attempt = 0; attempt < 4; ++attempt) {
        const auto start = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(peak.threads)
        sinks[static_cast<std::size_t>(omp_get_thread_num())] += runLoop(isa, iterations);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        best = std::max(best, flopsPerThread * peak.threads / seconds / 1e9);
    }
    if (sinks.front() == -1.0f) // never true: the sums are used, so the loops are kept
        best = 0.0;
    peak.gflopsPerSecond = best;
    return peak;
}

} // namespace ts
