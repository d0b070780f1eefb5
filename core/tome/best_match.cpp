#include "core/tome/best_match.h"

#include "core/nn/dot_tiles.h"
#include "core/tome/head_mean.h"

#include <cmath>
#include <limits>
#include <vector>

namespace ts {
namespace {

// Token t's metric (core/tome/head_mean.h), divided by its 2-norm (0 / 0 = NaN for a zero
// metric).
inline __attribute__((always_inline)) void metricRow(const KeyView& k, std::int64_t t, float* out)
{
    headMean(k.data + t * k.tokenStride, k.heads, k.headStride, k.d, out);
    // The squares summed sixteen lanes at a time (a single running sum is a chain of dependent
    // additions, a quarter of the whole step at ViT-S sizes).
    simd::Vec16 lanes = simd::Vec16{};
    std::int64_t c = 0;
    for (; c + 16 <= k.d; c += 16) {
        const simd::Vec16 x = simd::load16(out + c);
        lanes += x * x;
    }
    float sumSquares = 0.0f;
    for (int i = 0; i < 16; ++i)
        sumSquares += lanes[i];
    for (; c < k.d; ++c)
        sumSquares += out[c] * out[c];
    const float norm = std::sqrt(sumSquares);
    for (std::int64_t c = 0; c < k.d; ++c)
        out[c] /= norm;
}

// Row maximum with torch.max's rules: the first index on ties, the first NaN wins. The maximum
// is found sixteen lanes at a time, then its first position.
inline __attribute__((always_inline)) void rowBest(const float* s, std::int64_t nb, float* best, std::int64_t* index)
{
    simd::Vec16 top = simd::Vec16{} - std::numeric_limits<float>::infinity();
    bool nan = false;
    std::int64_t j = 0;
    for (; j + 16 <= nb; j += 16) {
        const simd::Vec16 x = simd::load16(s + j);
        const simd::IVec16 isNan = x != x;
        for (int i = 0; i < 16; ++i)
            nan |= isNan[i] != 0;
        top = x > top ? x : top;
    }
    float v = -std::numeric_limits<float>::infinity();
    for (int i = 0; i < 16; ++i)
        v = top[i] > v ? top[i] : v;
    for (; j < nb; ++j) {
        nan |= std::isnan(s[j]);
        v = s[j] > v ? s[j] : v;
    }
    for (j = 0; j < nb; ++j)
        if (nan ? std::isnan(s[j]) : s[j] == v)
            break;
    *best = s[j];
    *index = j;
}

template <class V, int R>
inline __attribute__((always_inline)) void matchAll(const KeyView& k, bool classToken, float* best, std::int64_t* bestIndex)
{
    const std::int64_t na = (k.tokens + 1) / 2, nb = k.tokens / 2, d = k.d, mp = simd::paddedColumns(nb);
    std::vector<float> a(static_cast<std::size_t>(na * d)), b(static_cast<std::size_t>(nb * d));
    std::vector<float> packed(static_cast<std::size_t>(d * mp), 0.0f), s(static_cast<std::size_t>(R * mp));
    for (std::int64_t i = 0; i < na; ++i)
        metricRow(k, 2 * i, a.data() + i * d);
    for (std::int64_t j = 0; j < nb; ++j)
        metricRow(k, 2 * j + 1, b.data() + j * d);
    simd::packRows(packed.data(), d, nb, [&](std::int64_t j) { return b.data() + j * d; });
    std::int64_t i = 0;
    for (; i + R <= na; i += R) {
        simd::rowDots<V, R>(a.data() + i * d, d, packed.data(), mp, s.data());
        for (int r = 0; r < R; ++r)
            rowBest(s.data() + r * mp, nb, best + i + r, bestIndex + i + r);
    }
    for (; i < na; ++i) {
        simd::rowDots<V, 1>(a.data() + i * d, d, packed.data(), mp, s.data());
        rowBest(s.data(), nb, best + i, bestIndex + i);
    }
    if (classToken) { // the class token never merges
        best[0] = -std::numeric_limits<float>::infinity();
        bestIndex[0] = 0;
    }
}

__attribute__((target("avx512f,fma"))) void matchAvx512(const KeyView& k, bool c, float* b, std::int64_t* i)
{
    matchAll<simd::Vec16, 6>(k, c, b, i);
}
__attribute__((target("avx2,fma"))) void matchAvx2(const KeyView& k, bool c, float* b, std::int64_t* i)
{
    matchAll<simd::Vec8, 2>(k, c, b, i);
}
void matchPortable(const KeyView& k, bool c, float* b, std::int64_t* i) { matchAll<simd::Vec4, 1>(k, c, b, i); }

void matchBest(const KeyView& k, bool c, float* b, std::int64_t* i)
{
    switch (simd::bestIsa()) {
    case simd::Isa::Avx512: matchAvx512(k, c, b, i); break;
    case simd::Isa::Avx2: matchAvx2(k, c, b, i); break;
    case simd::Isa::Portable: matchPortable(k, c, b, i); break;
    }
}

} // namespace

void bestMatches(const KeyView& keys, bool classToken, float* best, std::int64_t* bestIndex, MatchKernel kernel)
{
    if (keys.tokens < 2 || keys.heads < 1 || keys.d < 1)
        return;
    (kernel == MatchKernel::Portable ? &matchPortable : &matchBest)(keys, classToken, best, bestIndex);
}

} // namespace ts
