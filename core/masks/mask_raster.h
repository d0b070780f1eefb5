#pragma once
// Rasterises any rectangle of a mask to an image of rows x cols pixels holding the fraction of
// allowed (query, key) pairs under each pixel, computed from the row ranges: each query row adds
// its ranges to a per-pixel-row difference array, so the work is (query rows + pixel rows x
// columns), never queries x keys. A 1,000,000-token mask renders at 1024 pixels in well under a
// second. Torch-free.
#include "core/masks/attention_mask.h"

#include <cstdint>
#include <vector>

namespace ts {

struct RunControl;

// Queries [q0, q1) by keys [k0, k1).
struct MaskRegion {
    std::int64_t q0 = 0, q1 = 0, k0 = 0, k1 = 0;
    std::int64_t height() const { return q1 - q0; }
    std::int64_t width() const { return k1 - k0; }
};

// The whole mask.
MaskRegion fullRegion(const AttentionMask& mask);

struct MaskRaster {
    int rows = 0, cols = 0;
    MaskRegion region;
    std::vector<float> fraction;    // rows x cols, in [0, 1]
    std::vector<std::uint8_t> kind; // rows x cols: the KeyKind covering most of the pixel, kNoKind if none
    static constexpr std::uint8_t kNoKind = 255;

    float at(int r, int c) const { return fraction[static_cast<std::size_t>(r) * cols + c]; }
    std::uint8_t kindAt(int r, int c) const { return kind[static_cast<std::size_t>(r) * cols + c]; }
};

// Pixels are an even split of the region: pixel row r covers queries
// [q0 + r H / rows, q0 + (r + 1) H / rows) as real intervals (a query i is [i, i + 1)), so a
// region smaller than the image magnifies single tokens. Throws ts::Error for an empty or
// out-of-bounds region, or a pixel count outside 1..16384. Checks `control` between pixel rows.
MaskRaster rasterizeMask(const AttentionMask& mask, const MaskRegion& region, int rows, int cols,
                         const RunControl* control = nullptr);

// The region check alone (for command-line and GUI input).
void validateRegion(const AttentionMask& mask, const MaskRegion& region);

} // namespace ts
