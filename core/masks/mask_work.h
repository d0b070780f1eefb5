#pragma once
// How long a mask command will take, known before it runs. Every number the mask lab reports
// comes from walking query rows (core/masks/attention_mask.h): the keys-per-query summary visits
// every row once, a receptive field of depth D re-visits every position reached so far at each
// layer. Their cost is rows x key ranges per row, which grows with length x memory for BSWA and
// FAM: a billion-token FAM with 4096 memory blocks is hours of work. This estimates the row-range
// visits from a few sampled rows, so the command can refuse beyond a stated bound.
#include "core/masks/attention_mask.h"

#include <cstdint>

namespace ts {

struct MaskWork {
    double summaryVisits = 0;         // keyCountSummary: every row and its ranges
    double receptiveFieldVisits = 0;  // receptiveFields(query, depth)
    double total() const { return summaryVisits + receptiveFieldVisits; }
};

// `depth` 0: no receptive field. Samples at most 64 rows; never walks the whole mask.
MaskWork estimateMaskWork(const AttentionMask& mask, int depth = 0, std::int64_t query = 0);

// The command line's default bound on MaskWork::total: about a minute on a desktop CPU (a row
// range costs roughly 0.1 us to produce and count; measured 6.6e8 in 76 s on a loaded machine).
constexpr double kDefaultMaskMaxWork = 5e8;

} // namespace ts
