#include "core/masks/mask_raster.h"

#include "core/util/error.h"
#include "core/util/printable.h"
#include "core/util/memory_tracker.h"
#include "core/util/run_control.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace ts {

MaskRegion fullRegion(const AttentionMask& mask) { return {0, mask.queries(), 0, mask.keys()}; }

void validateRegion(const AttentionMask& mask, const MaskRegion& r)
{
    auto range = [](std::int64_t a, std::int64_t b) { return std::to_string(a) + ":" + std::to_string(b); };
    if (r.q0 < 0 || r.q1 > mask.queries() || r.q0 >= r.q1)
        throw Error("region queries " + range(r.q0, r.q1) + " must be a non-empty part of 0:" + std::to_string(mask.queries()));
    if (r.k0 < 0 || r.k1 > mask.keys() || r.k0 >= r.k1)
        throw Error("region keys " + range(r.k0, r.k1) + " must be a non-empty part of 0:" + std::to_string(mask.keys()));
}

namespace {

// Accumulates one pixel row: coverage per kind and column, with a difference array for the
// columns a key range covers whole.
class RowAccumulator {
public:
    RowAccumulator(int cols, const MaskRegion& region)
        : m_cols(cols), m_k0(region.k0), m_k1(region.k1), m_scale(static_cast<double>(cols) / region.width())
    {
        for (auto& v : m_partial)
            v.assign(static_cast<std::size_t>(cols), 0.0);
        for (auto& v : m_diff)
            v.assign(static_cast<std::size_t>(cols) + 1, 0.0);
    }

    // Adds keys [a, b) of one kind with weight w (the query's share of the pixel row).
    void add(std::int64_t a, std::int64_t b, KeyKind kind, double w)
    {
        a = std::max(a, m_k0);
        b = std::min(b, m_k1);
        if (a >= b)
            return;
        const int k = static_cast<int>(kind);
        const double x0 = static_cast<double>(a - m_k0) * m_scale;
        const double x1 = static_cast<double>(b - m_k0) * m_scale;
        const int c0 = std::min(m_cols - 1, static_cast<int>(std::floor(x0)));
        const int c1 = std::min(m_cols - 1, static_cast<int>(std::ceil(x1)) - 1);
        if (c0 >= c1) {
            m_partial[k][c0] += w * (x1 - x0);
            return;
        }
        m_partial[k][c0] += w * (c0 + 1 - x0);
        m_partial[k][c1] += w * (x1 - c1);
        if (c0 + 1 < c1) {
            m_diff[k][c0 + 1] += w;
            m_diff[k][c1] -= w;
        }
    }

    // Writes the pixel row and clears the accumulator.
    void flush(float* fraction, std::uint8_t* kinds)
    {
        std::array<double, kKeyKindCount> running{};
        for (int c = 0; c < m_cols; ++c) {
            double total = 0, best = 0;
            int bestKind = -1;
            for (int k = 0; k < kKeyKindCount; ++k) {
                running[k] += m_diff[k][c];
                const double v = running[k] + m_partial[k][c];
                total += v;
                if (v > best + 1e-12) {
                    best = v;
                    bestKind = k;
                }
            }
            fraction[c] = static_cast<float>(std::clamp(total, 0.0, 1.0));
            kinds[c] = bestKind < 0 ? MaskRaster::kNoKind : static_cast<std::uint8_t>(bestKind);
        }
        for (auto& v : m_partial)
            std::fill(v.begin(), v.end(), 0.0);
        for (auto& v : m_diff)
            std::fill(v.begin(), v.end(), 0.0);
    }

private:
    int m_cols;
    std::int64_t m_k0, m_k1;
    double m_scale; // pixels per key
    std::array<std::vector<double>, kKeyKindCount> m_partial, m_diff;
};

} // namespace

MaskRaster rasterizeMask(const AttentionMask& mask, const MaskRegion& region, int rows, int cols, const RunControl* control)
{
    constexpr int kMaxPixels = 16384;
    if (rows < 1 || cols < 1 || rows > kMaxPixels || cols > kMaxPixels)
        throw Error("pixels must be between 1 and " + std::to_string(kMaxPixels) + " per side (got " + sizeText(cols, rows) + ")");
    validateRegion(mask, region);
    // The raster (a float and a kind byte per pixel) and the 32-bit image every caller paints from
    // it: refused with numbers before allocating when it cannot fit.
    const double needed = 9.0 * rows * cols;
    const std::int64_t available = availableMemoryBytes();
    if (available > 0 && needed > double(available))
        throw Error("a " + sizeText(cols, rows) + " pixel mask needs ~"
                    + std::to_string(int(needed / (1 << 20))) + " MiB, " + std::to_string(available >> 20)
                    + " MiB available: use fewer --pixels");
    MaskRaster out;
    out.rows = rows;
    out.cols = cols;
    out.region = region;
    out.fraction.assign(static_cast<std::size_t>(rows) * cols, 0.0f);
    out.kind.assign(static_cast<std::size_t>(rows) * cols, MaskRaster::kNoKind);

    RowAccumulator acc(cols, region);
    std::vector<KeyRange> ranges;
    std::int64_t cachedQuery = -1;
    const double queriesPerPixel = static_cast<double>(region.height()) / rows;
    for (int r = 0; r < rows; ++r) {
        if (control && (r % 16) == 0) {
            control->throwIfCancelled();
            control->progress(r, rows, "rasterising");
        }
        // Pixel row r spans [y0, y1) in query units; query i spans [i, i + 1).
        const double y0 = region.q0 + r * queriesPerPixel, y1 = region.q0 + (r + 1) * queriesPerPixel;
        const std::int64_t first = static_cast<std::int64_t>(std::floor(y0));
        const std::int64_t last = std::min<std::int64_t>(region.q1 - 1, static_cast<std::int64_t>(std::ceil(y1)) - 1);
        for (std::int64_t q = first; q <= last; ++q) {
            const double w = (std::min<double>(q + 1, y1) - std::max<double>(q, y0)) / queriesPerPixel;
            if (w <= 0)
                continue;
            if (q != cachedQuery) {
                mask.keyRanges(q, ranges);
                cachedQuery = q;
            }
            for (const KeyRange& kr : ranges)
                acc.add(kr.begin, kr.end, kr.kind, w);
        }
        acc.flush(&out.fraction[static_cast<std::size_t>(r) * cols], &out.kind[static_cast<std::size_t>(r) * cols]);
    }
    return out;
}

} // namespace ts
