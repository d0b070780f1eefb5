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

inline __attribute__((always_inline)) Vec16 load16(const float* p)
{
    Vec16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline __attribute__((always_inline)) void store16(float* p, Vec16 v) { std::memcpy(p, &v, sizeof v); }

} // namespace ts::simd
