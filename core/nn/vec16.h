#pragma once
// Sixteen floats as one GCC vector, for the hand-tiled CPU kernels (packed_linear.cpp,
// fused_attention.cpp). Each kernel is written once with these and compiled for several
// instruction sets by inlining it into functions with a target attribute; vectors never cross a
// call boundary, so the ABI note GCC gives for 64-byte vectors does not apply. Include from
// kernel .cpp files only.
#include <cstring>

#pragma GCC diagnostic ignored "-Wpsabi"

namespace ts::simd {

typedef float Vec16 __attribute__((vector_size(64), aligned(4)));
typedef int IVec16 __attribute__((vector_size(64), aligned(4)));
// A register's width under AVX2 and SSE. A kernel written with Vec16 compiles for AVX2 as pairs
// of registers, which is fine for element-wise loops but not for register-tiled products: there
// GCC builds each scalar broadcast lane by lane on the stack and spills the accumulators
// (measured: 2.6 GFLOP/s instead of ~100 on a 2-core AVX2 EPYC), so those tile with the native
// width (loadVec / storeVec below).
typedef float Vec8 __attribute__((vector_size(32), aligned(4)));
typedef float Vec4 __attribute__((vector_size(16), aligned(4)));

template <class V>
constexpr int lanes()
{
    return static_cast<int>(sizeof(V) / sizeof(float));
}

template <class V>
inline __attribute__((always_inline)) V loadVec(const float* p)
{
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <class V>
inline __attribute__((always_inline)) void storeVec(float* p, V v)
{
    std::memcpy(p, &v, sizeof v);
}

inline __attribute__((always_inline)) Vec16 load16(const float* p)
{
    Vec16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline __attribute__((always_inline)) void store16(float* p, Vec16 v) { std::memcpy(p, &v, sizeof v); }

// The instruction sets the kernels are compiled for, and the widest this processor runs
// (detected once).
enum class Isa { Avx512, Avx2, Portable };
inline Isa bestIsa()
{
    static const Isa isa = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f"))
            return Isa::Avx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            return Isa::Avx2;
        return Isa::Portable;
    }();
    return isa;
}

} // namespace ts::simd
