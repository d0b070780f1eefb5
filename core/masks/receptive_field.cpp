#include "core/masks/receptive_field.h"

#include "core/util/error.h"
#include "core/util/run_control.h"

#include <algorithm>

namespace ts {
namespace {

using Intervals = std::vector<std::pair<std::int64_t, std::int64_t>>;

Intervals mergeIntervals(Intervals v)
{
    std::sort(v.begin(), v.end());
    Intervals out;
    for (const auto& iv : v) {
        if (!out.empty() && iv.first <= out.back().second)
            out.back().second = std::max(out.back().second, iv.second);
        else
            out.push_back(iv);
    }
    return out;
}

// One layer: every reached position adds the keys its row allows.
Intervals hop(const AttentionMask& mask, const Intervals& set, const RunControl* control)
{
    Intervals next = set;
    std::vector<KeyRange> row;
    std::int64_t visited = 0;
    for (const auto& [begin, end] : set) {
        for (std::int64_t p = begin; p < end; ++p) {
            if (control && (++visited & 0xFFFF) == 0)
                control->throwIfCancelled();
            mask.keyRanges(p, row);
            for (const KeyRange& r : row)
                next.emplace_back(r.begin, r.end);
            if (next.size() > (1u << 16))
                next = mergeIntervals(std::move(next));
        }
        next = mergeIntervals(std::move(next));
    }
    return next;
}

ReceptiveField describe(const AttentionMask& mask, std::int64_t query, int depth, const Intervals& set)
{
    ReceptiveField f;
    f.depth = depth;
    f.query = query;
    f.reached = set;
    for (const auto& iv : set)
        f.reachedCount += iv.second - iv.first;
    f.earliest = set.empty() ? query : set.front().first;
    f.span = query - f.earliest + 1;
    if (mask.feedbackMemory()) {
        f.unbounded = true;
        f.note = "unbounded: the feedback memory carries every earlier block forward inside each layer "
                 "(TransformerFAM Sec. 2.2), so the reach is limited only by the sequence, not by depth x window";
    } else {
        f.note = "reaches back " + std::to_string(f.span - 1) + " positions after " + std::to_string(depth) + " layer"
                 + (depth == 1 ? "" : "s");
    }
    return f;
}

} // namespace

std::vector<ReceptiveField> receptiveFields(const AttentionMask& mask, std::int64_t query, int maxDepth,
                                            const RunControl* control)
{
    if (!mask.square())
        throw Error("receptive field: " + mask.name() + " maps between two different sequences (queries "
                    + std::to_string(mask.queries()) + ", keys " + std::to_string(mask.keys()) + ")");
    mask.checkQuery(query);
    if (maxDepth < 1 || maxDepth > 4096)
        throw Error("receptive field: depth must be between 1 and 4096 (got " + std::to_string(maxDepth) + ")");
    std::vector<ReceptiveField> out;
    Intervals set{{query, query + 1}};
    bool saturated = false;
    for (int d = 1; d <= maxDepth; ++d) {
        if (!saturated) {
            Intervals next = hop(mask, set, control);
            // FAM: the previous FAM's own row reaches the FAM before it, and so on, within the
            // same layer: close over that chain so one layer already spans every earlier block.
            if (mask.feedbackMemory() && !next.empty())
                next = mergeIntervals([&] {
                    Intervals v = next;
                    v.emplace_back(0, next.front().first);
                    return v;
                }());
            saturated = next == set;
            set = std::move(next);
        }
        out.push_back(describe(mask, query, d, set));
        if (control)
            control->progress(d, maxDepth, "receptive field");
    }
    return out;
}

ReceptiveField receptiveField(const AttentionMask& mask, std::int64_t query, int depth)
{
    return receptiveFields(mask, query, depth).back();
}

} // namespace ts
