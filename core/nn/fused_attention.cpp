#include "core/nn/fused_attention.h"

#include "core/nn/attention_path.h"
#include "core/nn/dot_tiles.h"
#include "core/nn/vec16.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace ts {
namespace {

using simd::load16;
using simd::store16;
using simd::IVec16;
using simd::Vec16;

#define TS_INLINE inline __attribute__((always_inline))

// exp in the manner of Cephes' expf: x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two so
// n ln2 is exact), exp(r) = 1 + r + r^2 p(r) with p of degree 5, times 2^n written into the
// exponent (in two halves, so n = 128 and n = -126 stay representable). Below log(FLT_MIN)
// the result is 0 (denormals are not produced: a softmax weight that small is 0 to the sum's
// precision), above log(FLT_MAX) it is +inf, NaN stays NaN.
TS_INLINE Vec16 exp16(Vec16 x)
{
    const Vec16 lo = Vec16{} + -87.33654475f, hi = Vec16{} + 88.72283905f; // constants: folded
    Vec16 xc = x < lo ? lo : x;
    xc = xc > hi ? hi : xc;
    // Round to nearest by the 1.5 * 2^23 shift (exact for |x log2 e| < 2^22).
    const float shift = 12582912.0f;
    const Vec16 n = (xc * 1.44269504088896341f + shift) - shift;
    Vec16 r = xc - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    Vec16 p = r * 1.9875691500e-4f + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    Vec16 y = p * (r * r) + r + 1.0f;
    const IVec16 ni = __builtin_convertvector(n, IVec16);
    const IVec16 half = ni >> 1;
    const IVec16 e1 = (half + 127) << 23, e2 = (ni - half + 127) << 23;
    Vec16 s1, s2;
    std::memcpy(&s1, &e1, sizeof s1);
    std::memcpy(&s2, &e2, sizeof s2);
    y = y * s1 * s2;
    y = x < lo ? Vec16{} : y;
    y = x > hi ? Vec16{} + std::numeric_limits<float>::infinity() : y;
    return x != x ? x : y;
}

TS_INLINE float horizontalMax(Vec16 v)
{
    float m = v[0];
    for (int i = 1; i < 16; ++i)
        m = v[i] > m ? v[i] : m;
    return m;
}

TS_INLINE float horizontalSum(Vec16 v)
{
    float s = v[0];
    for (int i = 1; i < 16; ++i)
        s += v[i];
    return s;
}

// Element strides, in elements, of the four-dimensional views [X, Y, rows, cols] (last stride 1).
struct Strides {
    std::int64_t s0 = 0, s1 = 0, s2 = 0;
    const float* at(const float* base, std::int64_t x, std::int64_t y, std::int64_t i) const
    {
        return base + x * s0 + y * s1 + i * s2;
    }
};

struct Problem {
    const float *q = nullptr, *k = nullptr, *v = nullptr, *bias = nullptr;
    float* out = nullptr;   // [X, N, Y, dv]
    float* probs = nullptr; // [X, Y, N, M] or null
    std::int64_t X = 1, Y = 1, N = 0, M = 0, d = 0, dv = 0;
    Strides qs, ks, vs, bs;
    std::int64_t biasKeyStride = 1; // 0 when the bias is broadcast over keys
    float scale = 1.0f;
    std::int64_t rowsPerTask = 1, rowBlocks = 1;
    std::int64_t paddedKeys() const { return simd::paddedColumns(M); }
};

// out[r][c0 .. c0 + 16 NV) = sum over keys j of p[r][j] v[j][c]: R rows of weights against NV
// groups of 16 value columns (in registers V), summed over j in order, then times inv[r] (the
// softmax's normalisation, applied once to the sum rather than to every weight).
template <class V, int R, int NV>
TS_INLINE void valuesTile(const float* p, std::int64_t mp, std::int64_t m, const float* v, std::int64_t vStride,
                          std::int64_t c0, const float* inv, float* out, std::int64_t outStride)
{
    constexpr int kLanes = simd::lanes<V>(), kV = NV * 16 / kLanes;
    V acc[R][kV];
    for (int r = 0; r < R; ++r)
        for (int t = 0; t < kV; ++t)
            acc[r][t] = V{};
    for (std::int64_t j = 0; j < m; ++j) {
        V vv[kV];
        for (int t = 0; t < kV; ++t)
            vv[t] = simd::loadVec<V>(v + j * vStride + c0 + kLanes * t);
        for (int r = 0; r < R; ++r) {
            const V pb = V{} + p[r * mp + j];
            for (int t = 0; t < kV; ++t)
                acc[r][t] += pb * vv[t];
        }
    }
    for (int r = 0; r < R; ++r) {
        for (int t = 0; t < kV; ++t)
            simd::storeVec<V>(out + r * outStride + c0 + kLanes * t, acc[r][t] * inv[r]);
    }
}

// One row of logits (mp wide, m real keys) -> exp(logit + bias - max) in place, returning the
// reciprocal of their sum (ATen's softmax steps, with the final scaling left to the caller). The
// padding keys get -inf, so exp gives them 0.
TS_INLINE float softmaxRow(float* s, std::int64_t m, std::int64_t mp, const float* bias, std::int64_t biasKeyStride)
{
    if (bias) {
        std::int64_t j = 0;
        if (biasKeyStride == 1)
            for (; j + 16 <= m; j += 16)
                store16(s + j, load16(s + j) + load16(bias + j));
        for (; j < m; ++j)
            s[j] += bias[j * biasKeyStride];
    }
    for (std::int64_t j = m; j < mp; ++j)
        s[j] = -std::numeric_limits<float>::infinity();
    Vec16 mx = load16(s);
    for (std::int64_t j = 16; j < mp; j += 16) {
        const Vec16 x = load16(s + j);
        mx = x > mx ? x : mx;
    }
    const float top = horizontalMax(mx);
    Vec16 sum = Vec16{};
    for (std::int64_t j = 0; j < mp; j += 16) {
        const Vec16 e = exp16(load16(s + j) - top);
        store16(s + j, e);
        sum += e;
    }
    return 1.0f / horizontalSum(sum);
}

// Query rows [i, i + R) of head (x, y), with the head's keys packed in kt (core/nn/dot_tiles.h).
template <class V, int R>
TS_INLINE void queryRows(const Problem& pb, std::int64_t x, std::int64_t y, std::int64_t i, const float* kt, float* s,
                         float* qs)
{
    const std::int64_t d = pb.d, mp = pb.paddedKeys();
    for (int r = 0; r < R; ++r) {
        const float* row = pb.qs.at(pb.q, x, y, i + r);
        for (std::int64_t c = 0; c < d; ++c)
            qs[r * d + c] = row[c] * pb.scale; // (q * scale) first, as the torch ops do
    }
    simd::rowDots<V, R>(qs, d, kt, mp, s);
    float inv[R];
    for (int r = 0; r < R; ++r)
        inv[r] = softmaxRow(s + r * mp, pb.M, mp, pb.bias ? pb.bs.at(pb.bias, x, y, i + r) : nullptr, pb.biasKeyStride);
    if (pb.probs)
        for (int r = 0; r < R; ++r) {
            float* dst = pb.probs + ((x * pb.Y + y) * pb.N + i + r) * pb.M;
            for (std::int64_t j = 0; j < pb.M; ++j)
                dst[j] = s[r * mp + j] * inv[r];
        }
    const float* v = pb.vs.at(pb.v, x, y, 0);
    const std::int64_t outStride = pb.Y * pb.dv;
    float* out = pb.out + (x * pb.N + i) * outStride + y * pb.dv;
    constexpr int kTile = simd::tileFloats<V>();
    std::int64_t c0 = 0;
    for (; c0 + kTile <= pb.dv; c0 += kTile)
        valuesTile<V, R, kTile / 16>(s, mp, pb.M, v, pb.vs.s2, c0, inv, out, outStride);
    for (; c0 < pb.dv; c0 += 16)
        valuesTile<V, R, 1>(s, mp, pb.M, v, pb.vs.s2, c0, inv, out, outStride);
}

// Tasks [begin, end): task t is row block t % rowBlocks of head t / rowBlocks. A thread's tasks
// are consecutive, so it packs each head's keys once.
template <class V, int R>
TS_INLINE void runTasks(const Problem& pb, std::int64_t begin, std::int64_t end)
{
    const std::int64_t mp = pb.paddedKeys();
    std::vector<float> kt(static_cast<std::size_t>(pb.d * mp), 0.0f); // padding keys stay 0
    std::vector<float> s(static_cast<std::size_t>(R * mp)), qs(static_cast<std::size_t>(R * pb.d));
    std::int64_t packed = -1;
    for (std::int64_t t = begin; t < end; ++t) {
        const std::int64_t head = t / pb.rowBlocks, block = t % pb.rowBlocks;
        const std::int64_t x = head / pb.Y, y = head % pb.Y;
        if (head != packed) {
            simd::packRows(kt.data(), pb.d, pb.M, [&](std::int64_t j) { return pb.ks.at(pb.k, x, y, j); });
            packed = head;
        }
        const std::int64_t i0 = block * pb.rowsPerTask, i1 = std::min(pb.N, i0 + pb.rowsPerTask);
        std::int64_t i = i0;
        for (; i + R <= i1; i += R)
            queryRows<V, R>(pb, x, y, i, kt.data(), s.data(), qs.data());
        // The last rows in one step too (the switch instantiates every count below R).
        switch (i1 - i) {
        case 0: break;
        case 1: queryRows<V, 1>(pb, x, y, i, kt.data(), s.data(), qs.data()); break;
        case 2: queryRows<V, 2 < R ? 2 : 1>(pb, x, y, i, kt.data(), s.data(), qs.data()); break;
        case 3: queryRows<V, 3 < R ? 3 : 1>(pb, x, y, i, kt.data(), s.data(), qs.data()); break;
        case 4: queryRows<V, 4 < R ? 4 : 1>(pb, x, y, i, kt.data(), s.data(), qs.data()); break;
        default: queryRows<V, 5 < R ? 5 : 1>(pb, x, y, i, kt.data(), s.data(), qs.data()); break;
        }
    }
}

TS_INLINE void expAll(const float* x, float* y, std::int64_t n)
{
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        store16(y + i, exp16(load16(x + i)));
    if (i < n) {
        float in[16] = {}, out[16];
        std::memcpy(in, x + i, static_cast<std::size_t>(n - i) * sizeof(float));
        store16(out, exp16(load16(in)));
        std::memcpy(y + i, out, static_cast<std::size_t>(n - i) * sizeof(float));
    }
}

struct Kernels {
    void (*tasks)(const Problem&, std::int64_t, std::int64_t);
    void (*exp)(const float*, float*, std::int64_t);
    const char* name;
};

// Rows per step: as many accumulators as the registers hold (R x 4 registers of the set's own
// width, simd::tileFloats; AVX-512 has 32 registers, AVX2 and SSE 16).
__attribute__((target("avx512f,fma"))) void tasksAvx512(const Problem& pb, std::int64_t b, std::int64_t e)
{
    runTasks<Vec16, 6>(pb, b, e);
}
__attribute__((target("avx512f,fma"))) void expAvx512(const float* x, float* y, std::int64_t n) { expAll(x, y, n); }
__attribute__((target("avx2,fma"))) void tasksAvx2(const Problem& pb, std::int64_t b, std::int64_t e)
{
    runTasks<simd::Vec8, 2>(pb, b, e);
}
__attribute__((target("avx2,fma"))) void expAvx2(const float* x, float* y, std::int64_t n) { expAll(x, y, n); }
void tasksPortable(const Problem& pb, std::int64_t b, std::int64_t e) { runTasks<simd::Vec4, 1>(pb, b, e); }
void expPortable(const float* x, float* y, std::int64_t n) { expAll(x, y, n); }

const Kernels& kernelsFor(AttentionKernel which)
{
    static const Kernels portable{&tasksPortable, &expPortable, "portable"};
    static const Kernels avx512{&tasksAvx512, &expAvx512, "avx512"}, avx2{&tasksAvx2, &expAvx2, "avx2"};
    const simd::Isa isa = simd::bestIsa();
    const Kernels& best = isa == simd::Isa::Avx512 ? avx512 : isa == simd::Isa::Avx2 ? avx2 : portable;
    return which == AttentionKernel::Portable ? portable : best;
}

bool usable(const torch::Tensor& t)
{
    return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat
           && !(torch::GradMode::is_enabled() && t.requires_grad());
}

Strides stridesOf(const torch::Tensor& t) // t is 4-D
{
    return Strides{t.stride(0), t.stride(1), t.stride(2)};
}

} // namespace

const char* bestAttentionKernelName() { return kernelsFor(AttentionKernel::Best).name; }

void vectorExp(const float* x, float* y, std::int64_t n, AttentionKernel kernel)
{
    if (n > 0)
        kernelsFor(kernel).exp(x, y, n);
}

torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const torch::Tensor& bias, double scale, torch::Tensor* probs, AttentionKernel kernel)
{
    // Kept whole: the checks that decide whether the kernel takes these tensors, the raw-pointer
    // problem they fill and the split into tasks depend on one another's shapes and strides, and
    // read as one recipe from torch tensors to the kernel's call.
    if (!usable(q) || !usable(k) || !usable(v) || (bias.defined() && !usable(bias)))
        return {};
    const std::int64_t dims = q.dim();
    if ((dims != 3 && dims != 4) || k.dim() != dims || v.dim() != dims)
        return {};
    for (std::int64_t i = 0; i < dims - 2; ++i)
        if (k.size(i) != q.size(i) || v.size(i) != q.size(i))
            return {};
    const std::int64_t n = q.size(-2), d = q.size(-1), m = k.size(-2), dv = v.size(-1);
    if (n < 1 || m < 1 || d < 1 || !fusedAttentionHandles(dv) || k.size(-1) != d || v.size(-2) != m)
        return {};
    auto lastContiguous = [](const torch::Tensor& t) { return t.size(-1) == 1 || t.stride(-1) == 1; };
    if (!lastContiguous(q) || !lastContiguous(k) || !lastContiguous(v))
        return {};

    // Everything as [X, Y, rows, cols]: a 3-D [Y, rows, cols] is one X.
    auto as4 = [dims](const torch::Tensor& t) { return dims == 4 ? t : t.unsqueeze(0); };
    const torch::Tensor q4 = as4(q), k4 = as4(k), v4 = as4(v);
    const std::int64_t X = q4.size(0), Y = q4.size(1);
    if (X * Y == 0)
        return {};

    Problem pb;
    pb.q = q4.data_ptr<float>();
    pb.k = k4.data_ptr<float>();
    pb.v = v4.data_ptr<float>();
    pb.X = X;
    pb.Y = Y;
    pb.N = n;
    pb.M = m;
    pb.d = d;
    pb.dv = dv;
    pb.qs = stridesOf(q4);
    pb.ks = stridesOf(k4);
    pb.vs = stridesOf(v4);
    pb.scale = static_cast<float>(scale);
    torch::Tensor b4;
    if (bias.defined()) {
        if (bias.dim() > dims)
            return {};
        b4 = bias;
        while (b4.dim() < 4)
            b4 = b4.unsqueeze(0);
        const std::int64_t want[4] = {X, Y, n, m};
        for (int i = 0; i < 4; ++i)
            if (b4.size(i) != want[i] && b4.size(i) != 1)
                return {};
        b4 = b4.expand({X, Y, n, m});
        pb.bias = b4.data_ptr<float>();
        pb.bs = stridesOf(b4);
        pb.biasKeyStride = b4.stride(3);
    }

    torch::Tensor out = torch::empty({X, n, Y, dv}, q.options());
    pb.out = out.data_ptr<float>();
    torch::Tensor weights;
    if (probs) {
        weights = torch::empty({X, Y, n, m}, q.options());
        pb.probs = weights.data_ptr<float>();
    }

    // Tasks: whole heads when there are enough to share out, else heads cut into row blocks.
    const std::int64_t heads = X * Y, threads = std::max(1, at::get_num_threads());
    pb.rowBlocks = std::clamp<std::int64_t>((2 * threads + heads - 1) / heads, 1, (n + 15) / 16);
    pb.rowsPerTask = ((n + pb.rowBlocks - 1) / pb.rowBlocks + 3) / 4 * 4;
    pb.rowBlocks = (n + pb.rowsPerTask - 1) / pb.rowsPerTask;
    const std::int64_t tasks = heads * pb.rowBlocks;
    const auto fn = kernelsFor(kernel).tasks;
    // Below about half a million multiply-adds, waking a second thread costs more than it saves
    // (the threshold of ops::matmul's batched products, measured on the same ViT-S heads).
    const double macs = static_cast<double>(heads) * static_cast<double>(n) * static_cast<double>(m)
                        * static_cast<double>(d + dv);
    if (threads < 2 || tasks < 2 || macs < static_cast<double>(1 << 19))
        fn(pb, 0, tasks);
    else
        at::parallel_for(0, tasks, 1, [&](std::int64_t begin, std::int64_t end) { fn(pb, begin, end); });

    if (probs)
        *probs = dims == 4 ? weights : weights.select(0, 0);
    torch::Tensor heads4 = out.permute({0, 2, 1, 3}); // [X, Y, N, dv]
    return dims == 4 ? heads4 : heads4.select(0, 0);
}

} // namespace ts
