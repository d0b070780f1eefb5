#include "core/masks/mask_work.h"

#include <algorithm>
#include <vector>

namespace ts {

MaskWork estimateMaskWork(const AttentionMask& mask, int depth, std::int64_t query)
{
    MaskWork work;
    const std::int64_t rows = mask.queries();
    if (rows <= 0)
        return work;
    // Ranges per row and how far back a row reaches, from evenly spaced rows (the last included:
    // later rows of BSWA and FAM have the most memory behind them).
    const int samples = static_cast<int>(std::min<std::int64_t>(rows, 64));
    std::vector<KeyRange> row;
    double ranges = 0;
    std::int64_t reachBack = 1;
    for (int i = 0; i < samples; ++i) {
        const std::int64_t q = samples == 1 ? rows - 1 : (rows - 1) * i / (samples - 1);
        mask.keyRanges(q, row);
        ranges += static_cast<double>(row.size());
        if (!row.empty())
            reachBack = std::max(reachBack, q - row.front().begin + 1);
    }
    const double perRow = ranges / samples + 1; // + the row's own visit
    work.summaryVisits = static_cast<double>(rows) * perRow;
    if (depth <= 0 || !mask.square())
        return work;
    // Positions visited per layer: the set reached so far, which grows by one reach per layer
    // (all earlier positions at once for a feedback memory) until it covers 0..query.
    const double whole = static_cast<double>(query + 1);
    double reached = 1, visits = 0;
    for (int d = 1; d <= depth; ++d) {
        visits += reached;
        const double next = mask.feedbackMemory() ? whole : std::min(whole, reached + static_cast<double>(reachBack));
        if (next == reached) // saturated: later layers only repeat the result
            break;
        reached = next;
    }
    work.receptiveFieldVisits = visits * perRow;
    return work;
}

} // namespace ts
