#pragma once
// Dot products of a few rows against many, register-tiled (core/nn/vec16.h): the
// logits of the fused attention (q against the keys) and ToMe's similarities (A-tokens against
// B-tokens). The many rows are packed transposed in chunks of 64 (the last one narrower, a
// multiple of 16): chunk q holds rows [64 q, 64 q + w) as [d][w], so a tile reads its chunk front
// to back. Include from kernel .cpp files only; compile the callers for each target.
#include "core/nn/vec16.h"

#include <algorithm>
#include <cstdint>

namespace ts::simd {

// Columns padded to whole vectors: the packed width of `rows` rows.
inline std::int64_t paddedColumns(std::int64_t rows) { return (rows + 15) / 16 * 16; }

struct PackedChunk {
    const float* base;
    std::int64_t width;
};

inline __attribute__((always_inline)) PackedChunk packedChunk(const float* packed, std::int64_t d, std::int64_t mp,
                                                              std::int64_t q)
{
    return {packed + q * 64 * d, std::min<std::int64_t>(64, mp - q * 64)};
}

// Packs rows 0..m-1 (rowOf(j) gives row j's d floats, last stride 1) into `packed`
// (d * paddedColumns(m) floats; the padding columns are left as they are, zero from the caller).
// Sixteen rows at a time, so each packed row is written a cache line at a time.
template <class RowOf>
inline __attribute__((always_inline)) void packRows(float* packed, std::int64_t d, std::int64_t m, RowOf rowOf)
{
    const std::int64_t mp = paddedColumns(m);
    for (std::int64_t j0 = 0; j0 < m; j0 += 16) {
        const std::int64_t count = std::min<std::int64_t>(16, m - j0);
        const PackedChunk chunk = packedChunk(packed, d, mp, j0 / 64);
        float* base = const_cast<float*>(chunk.base) + j0 % 64;
        const float* rows[16];
        for (std::int64_t j = 0; j < count; ++j)
            rows[j] = rowOf(j0 + j);
        for (std::int64_t c = 0; c < d; ++c) {
            float* dst = base + c * chunk.width;
            for (std::int64_t j = 0; j < count; ++j)
                dst[j] = rows[j][c];
        }
    }
}

// Floats a tile spans per row with registers V: four registers (64 with AVX-512's Vec16, 32 with
// AVX2's Vec8, 16 with SSE's Vec4), so R rows take 4 R accumulators whatever the width.
template <class V>
constexpr int tileFloats()
{
    return 4 * lanes<V>();
}

// s[r][16 t0 .. 16 (t0 + NV)) of a chunk = sum over c of a[r][c] packed[c][j]: R rows against NV
// groups of 16 columns of the chunk (in registers V, core/nn/vec16.h), summed over c in order.
template <class V, int R, int NV>
inline __attribute__((always_inline)) void dotTile(const float* a, std::int64_t d, PackedChunk chunk, std::int64_t t0,
                                                   float* s, std::int64_t mp)
{
    constexpr int kLanes = lanes<V>(), kV = NV * 16 / kLanes;
    V acc[R][kV];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < kV; ++t)
            acc[r][t] = V{};
    const float* kc = chunk.base + 16 * t0;
    for (std::int64_t c = 0; c < d; ++c) {
        V kv[kV];
        for (int t = 0; t < kV; ++t)
            kv[t] = loadVec<V>(kc + c * chunk.width + kLanes * t);
        for (int r = 0; r < R; ++r) {
            const V ab = V{} + a[r * d + c]; // one broadcast
            for (int t = 0; t < kV; ++t)
                acc[r][t] += ab * kv[t];
        }
    }
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < kV; ++t)
            storeVec<V>(s + r * mp + 16 * t0 + kLanes * t, acc[r][t]);
}

// s [R][mp] = a [R][d] against every packed row (padding columns give 0).
template <class V, int R>
inline __attribute__((always_inline)) void rowDots(const float* a, std::int64_t d, const float* packed, std::int64_t mp,
                                                   float* s)
{
    constexpr int kStep = tileFloats<V>() / 16; // groups of 16 columns per tile
    for (std::int64_t q = 0; q * 64 < mp; ++q) {
        const PackedChunk chunk = packedChunk(packed, d, mp, q);
        std::int64_t t0 = 0;
        for (; (t0 + kStep) * 16 <= chunk.width; t0 += kStep)
            dotTile<V, R, kStep>(a, d, chunk, t0, s + q * 64, mp);
        for (; t0 * 16 < chunk.width; ++t0)
            dotTile<V, R, 1>(a, d, chunk, t0, s + q * 64, mp);
    }
}

} // namespace ts::simd
