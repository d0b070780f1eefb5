#include "core/masks/mask_cost.h"

#include "core/util/error.h"

#include <cmath>
#include <cstdio>

namespace ts {

MaskCost maskCost(const AttentionMask& mask, int width)
{
    if (width < 1)
        throw Error("cost: width must be at least 1 (got " + std::to_string(width) + ")");
    MaskCost c;
    c.width = width;
    c.allowedPairs = mask.allowedPairs();
    c.computedPairs = mask.computedPairs();
    // Dense attention is what the same data would cost without the scheme: L^2 for a sequence
    // mask (FAM's extra memory rows and columns count against it), queries x keys for a
    // cross-attention between two sequences (FIT's reads).
    const std::int64_t l = mask.dataLength();
    c.densePairs = mask.square() ? l * l : mask.queries() * mask.keys();
    c.qkFlops = 2.0 * static_cast<double>(c.computedPairs) * width;
    c.avFlops = 2.0 * static_cast<double>(c.computedPairs) * width;
    c.shareOfDense = c.densePairs > 0 ? static_cast<double>(c.computedPairs) / static_cast<double>(c.densePairs) : 0.0;
    return c;
}

std::string formatFlops(double flops)
{
    static const char* const kPrefixes[] = {"", "K", "M", "G", "T", "P", "E"};
    int k = 0;
    while (std::abs(flops) >= 999.5 && k < 6)
        flops /= 1000, ++k;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3g %sFLOP", flops, kPrefixes[k]);
    return buffer;
}

} // namespace ts
