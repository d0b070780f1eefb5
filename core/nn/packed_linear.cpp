#include "core/nn/packed_linear.h"

#include "core/nn/vec16.h"
#include "core/util/memory_tracker.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>

namespace ts {
namespace {

using simd::Vec16;
constexpr int kNr = PackedWeights::kPanelWidth;

// Rows [begin, end) of the panel a thread takes next, to request into L2 during one tile, one
// row (two cache lines) every `every` steps of its k loop. The weights come from memory: a
// panel's tiles share out its successor's rows so the requests are spread over the whole panel's
// work instead of arriving in one burst (which fills the line-fill buffers and stalls), and with
// few rows the one tile there is requests them all.
struct Prefetch {
    const float* next = nullptr;
    std::int64_t begin = 0, end = 0, every = 1;
};

// One MR x 32 tile of y: rows of x against one panel, summed over all of k in order (the
// register accumulators hold the tile for the whole sum), then the bias. V is the instruction
// set's register (core/nn/vec16.h): 32 / lanes(V) of them per tile row.
template <class V, int MR>
inline __attribute__((always_inline)) void tile(const float* x, std::int64_t in, const float* panel, const float* bias,
                                                float* y, std::int64_t ldy, int cols, const Prefetch& prefetch)
{
    constexpr int kLanes = static_cast<int>(sizeof(V) / sizeof(float)), kNv = kNr / kLanes;
    using simd::loadVec;
    using simd::storeVec;
    V acc[MR][kNv];
    for (int m = 0; m < MR; ++m)
        for (int t = 0; t < kNv; ++t)
            acc[m][t] = V{};
    std::int64_t pk = prefetch.begin, countdown = 0;
    for (std::int64_t k = 0; k < in; ++k) {
        if (prefetch.next && pk < prefetch.end && --countdown <= 0) {
            __builtin_prefetch(prefetch.next + pk * kNr, 0, 2);
            __builtin_prefetch(prefetch.next + pk * kNr + 16, 0, 2);
            ++pk;
            countdown = prefetch.every;
        }
        V b[kNv];
        for (int t = 0; t < kNv; ++t)
            b[t] = loadVec<V>(panel + k * kNr + t * kLanes);
        for (int m = 0; m < MR; ++m) {
            const V a = V{} + x[m * in + k]; // one broadcast per row and k
            for (int t = 0; t < kNv; ++t)
                acc[m][t] += a * b[t];
        }
    }
    for (int m = 0; m < MR; ++m) {
        float* row = y + m * ldy;
        float tmp[kNr];
        float* dst = cols == kNr ? row : tmp;
        for (int t = 0; t < kNv; ++t)
            storeVec<V>(dst + t * kLanes, acc[m][t] + loadVec<V>(bias + t * kLanes));
        if (cols != kNr)
            std::memcpy(row, tmp, static_cast<std::size_t>(cols) * sizeof(float));
    }
}

// An n-row tile (1 <= n <= MaxMR), the row count chosen at run time.
template <class V, int MaxMR>
inline __attribute__((always_inline)) void tileOf(int n, const float* x, std::int64_t in, const float* panel,
                                                  const float* bias, float* y, std::int64_t ldy, int cols,
                                                  const Prefetch& prefetch)
{
    switch (n) {
    case 1: tile<V, 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    case 2: tile<V, 2 <= MaxMR ? 2 : 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    case 3: tile<V, 3 <= MaxMR ? 3 : 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    case 4: tile<V, 4 <= MaxMR ? 4 : 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    case 5: tile<V, 5 <= MaxMR ? 5 : 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    case 6: tile<V, 6 <= MaxMR ? 6 : 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    case 7: tile<V, 7 <= MaxMR ? 7 : 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    default: tile<V, 8 <= MaxMR ? 8 : 1>(x, in, panel, bias, y, ldy, cols, prefetch); break;
    }
}

// Rows [m0, m1) of x against one panel, in as few tiles as MaxMR rows allow (as many
// accumulators as the instruction set has registers for: 2 x MaxMR vectors), their sizes
// differing by at most one: 11 rows go as 6 + 5, not 8 + 3, because a tile of few rows has too
// few independent sums to cover the multiply-add latency (3-10 % faster on 11-27 rows).
template <class V, int MaxMR>
inline __attribute__((always_inline)) void panelRows(const float* x, std::int64_t m0, std::int64_t m1, std::int64_t in,
                                                     const float* panel, const float* bias, float* y, std::int64_t ldy,
                                                     int cols, const float* next)
{
    static_assert(MaxMR >= 1 && MaxMR <= 8, "tileOf covers 1 to 8 rows");
    const std::int64_t rows = m1 - m0;
    const std::int64_t tiles = (rows + MaxMR - 1) / MaxMR;
    for (std::int64_t j = 0; j < tiles; ++j) {
        const std::int64_t first = m0 + rows * j / tiles, last = m0 + rows * (j + 1) / tiles;
        Prefetch p;
        p.next = next;
        p.begin = j * in / tiles;
        p.end = (j + 1) * in / tiles;
        p.every = std::max<std::int64_t>(1, in / std::max<std::int64_t>(1, p.end - p.begin));
        tileOf<V, MaxMR>(static_cast<int>(last - first), x + first * in, in, panel, bias, y + first * ldy, ldy, cols, p);
    }
}

using PanelRowsFn = void (*)(const float*, std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*,
                             std::int64_t, int, const float*);

// AVX-512: 32 registers, 16 accumulators for 8 rows.
__attribute__((target("avx512f,fma"))) void panelRowsAvx512(const float* x, std::int64_t m0, std::int64_t m1,
                                                            std::int64_t in, const float* panel, const float* bias,
                                                            float* y, std::int64_t ldy, int cols, const float* next)
{
    panelRows<Vec16, 8>(x, m0, m1, in, panel, bias, y, ldy, cols, next);
}

// AVX2: 16 registers of 8 floats; a 32-wide tile row takes 4, so 3 rows.
__attribute__((target("avx2,fma"))) void panelRowsAvx2(const float* x, std::int64_t m0, std::int64_t m1, std::int64_t in,
                                                       const float* panel, const float* bias, float* y, std::int64_t ldy,
                                                       int cols, const float* next)
{
    panelRows<simd::Vec8, 3>(x, m0, m1, in, panel, bias, y, ldy, cols, next);
}

// SSE2 (any x86-64): 16 registers of 4 floats; a tile row takes 8, so one row.
void panelRowsPortable(const float* x, std::int64_t m0, std::int64_t m1, std::int64_t in, const float* panel,
                       const float* bias, float* y, std::int64_t ldy, int cols, const float* next)
{
    panelRows<simd::Vec4, 1>(x, m0, m1, in, panel, bias, y, ldy, cols, next);
}

PanelRowsFn bestPanelRows()
{
    switch (simd::bestIsa()) {
    case simd::Isa::Avx512: return &panelRowsAvx512;
    case simd::Isa::Avx2: return &panelRowsAvx2;
    case simd::Isa::Portable: break;
    }
    return &panelRowsPortable;
}

} // namespace

const char* bestGemmKernelName()
{
    const PanelRowsFn fn = bestPanelRows();
    return fn == &panelRowsAvx512 ? "avx512" : fn == &panelRowsAvx2 ? "avx2" : "portable";
}

PackedWeights packWeights(const torch::Tensor& weight, const torch::Tensor& bias)
{
    TORCH_CHECK(weight.dim() == 2, "packWeights: weight must be [out, in]");
    PackedWeights packed;
    packed.out = weight.size(0);
    packed.in = weight.size(1);
    const std::int64_t panels = (packed.out + kNr - 1) / kNr;
    packed.panels.assign(static_cast<std::size_t>(panels * packed.in * kNr), 0.0f);
    packed.bias.assign(static_cast<std::size_t>(panels * kNr), 0.0f);
    const torch::Tensor w = weight.to(torch::kFloat32).contiguous();
    const float* src = w.data_ptr<float>();
    for (std::int64_t o = 0; o < packed.out; ++o) {
        float* dst = packed.panels.data() + (o / kNr) * packed.in * kNr + o % kNr;
        const float* row = src + o * packed.in;
        for (std::int64_t k = 0; k < packed.in; ++k)
            dst[k * kNr] = row[k];
    }
    if (bias.defined()) {
        TORCH_CHECK(bias.numel() == packed.out, "packWeights: bias must have `out` elements");
        const torch::Tensor b = bias.to(torch::kFloat32).contiguous();
        std::copy(b.data_ptr<float>(), b.data_ptr<float>() + packed.out, packed.bias.begin());
    }
    return packed;
}

void packedMatmul(const float* x, std::int64_t rows, const PackedWeights& weights, float* y, GemmKernel kernel)
{
    if (rows <= 0 || weights.out <= 0)
        return;
    const PanelRowsFn fn = kernel == GemmKernel::Portable ? &panelRowsPortable : bestPanelRows();
    const std::int64_t panels = (weights.out + kNr - 1) / kNr;
    // Row blocks keep a slab of x in cache while a thread walks its panels; tasks are
    // panel-major, so each thread's contiguous share touches as few panels as it can.
    constexpr std::int64_t kRowBlock = 96;
    const std::int64_t rowBlocks = (rows + kRowBlock - 1) / kRowBlock;
    const std::int64_t in = weights.in, out = weights.out;
    at::parallel_for(0, panels * rowBlocks, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t t = begin; t < end; ++t) {
            const std::int64_t p = t / rowBlocks, rb = t % rowBlocks;
            const int cols = static_cast<int>(std::min<std::int64_t>(kNr, out - p * kNr));
            // The next task of this thread is the next panel (same rows) unless its share ends.
            const float* next = t + 1 < end && rb + 1 == rowBlocks && p + 1 < panels
                                    ? weights.panels.data() + (p + 1) * in * kNr
                                    : nullptr;
            fn(x, rb * kRowBlock, std::min(rows, (rb + 1) * kRowBlock), in, weights.panels.data() + p * in * kNr,
               weights.bias.data() + p * kNr, y + p * kNr, out, cols, next);
        }
    });
}

bool PackedLinear::aheadOfOneDnn(std::int64_t rows, std::int64_t in)
{
    return takes(rows, in) && (simd::bestIsa() == simd::Isa::Avx512 || rows <= kMaxRowsAheadNarrow);
}

PackedLinear::Key PackedLinear::keyOf(const torch::Tensor& weight, const torch::Tensor& bias)
{
    Key key;
    key.weightStorage = weight.storage();
    key.weightData = weight.data_ptr();
    key.weightVersion = static_cast<std::int64_t>(weight._version());
    if (bias.defined()) {
        key.biasStorage = bias.storage();
        key.biasData = bias.data_ptr();
        key.biasVersion = static_cast<std::int64_t>(bias._version());
        key.biasStride = bias.dim() > 0 ? bias.stride(-1) : 0;
    }
    key.out = weight.size(0);
    key.in = weight.size(1);
    key.stride0 = weight.stride(0);
    key.stride1 = weight.stride(1);
    return key;
}

torch::Tensor PackedLinear::tryForward(const torch::Tensor& x, const torch::Tensor& weight,
                                       const torch::Tensor& bias) const
{
    if (!x.defined() || x.dim() < 1 || weight.dim() != 2 || x.size(-1) != weight.size(1))
        return {};
    if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat32 || !weight.device().is_cpu()
        || weight.scalar_type() != torch::kFloat32
        || (bias.defined() && (bias.scalar_type() != torch::kFloat32 || bias.numel() != weight.size(0))))
        return {};
    // Tensors made under inference mode have no version counter, so a change made in place to
    // them could not be seen: such weights take torch's path.
    if (weight.is_inference() || (bias.defined() && bias.is_inference()))
        return {};
    if (torch::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad()
                                          || (bias.defined() && bias.requires_grad())))
        return {}; // the packed path records no autograd graph
    const std::int64_t in = weight.size(1), out = weight.size(0);
    const std::int64_t rows = in > 0 ? x.numel() / in : 0;
    if (!takes(rows, in) || in == 0)
        return {};

    std::shared_ptr<const PackedWeights> packed;
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const Key key = keyOf(weight, bias);
        if (!(key == m_key) || !m_weights) {
            if (key == m_key && m_packFailed)
                return {};
            m_weights.reset();
            m_key = key;
            m_packFailed = false;
            // Packing copies the weights: only when that leaves room for the run itself.
            const std::int64_t bytes = (out + kNr - 1) / kNr * kNr * (in + 1) * static_cast<std::int64_t>(sizeof(float));
            const std::int64_t available = availableMemoryBytes();
            if (available > 0 && bytes * 4 > available) {
                m_packFailed = true;
                return {};
            }
            try {
                m_weights = std::make_shared<const PackedWeights>(packWeights(weight, bias));
            } catch (const std::bad_alloc&) {
                m_packFailed = true;
                return {};
            } catch (const c10::Error&) { // LibTorch's allocation failures
                m_packFailed = true;
                return {};
            }
        }
        packed = m_weights;
    }

    const torch::Tensor xc = x.contiguous();
    std::vector<std::int64_t> shape = x.sizes().vec();
    shape.back() = out;
    torch::Tensor y = torch::empty(shape, x.options());
    packedMatmul(xc.data_ptr<float>(), rows, *packed, y.data_ptr<float>());
    return y;
}

std::int64_t PackedLinear::packedBytes() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_weights)
        return 0;
    return static_cast<std::int64_t>((m_weights->panels.size() + m_weights->bias.size()) * sizeof(float));
}

} // namespace ts
