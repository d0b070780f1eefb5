#pragma once
// The attention cost of a mask, computed from the same rows that are drawn: allowed pairs, the
// FLOPs of Q K^T and of attention x V for a width (2 FLOPs per multiply-add, so 2 x pairs x width
// each, as in Narayanan et al. 2021, arXiv 2104.04473, Sec. 5.1 Eq. 3, and
// Hoffmann et al. 2022, arXiv 2203.15556, App. F), and the share of dense
// attention. Projections and MLPs are not attention and are not counted here. Torch-free.
#include "core/masks/attention_mask.h"

namespace ts {

struct MaskCost {
    std::int64_t allowedPairs = 0;  // exact
    std::int64_t computedPairs = 0; // pairs an implementation computes (ToMe: token pairs)
    std::int64_t densePairs = 0;    // full attention over the data sequence (L^2), or queries x keys
    int width = 0;
    double qkFlops = 0;             // 2 x computedPairs x width
    double avFlops = 0;             // 2 x computedPairs x width
    double shareOfDense = 0;        // computedPairs / densePairs
};

// Throws ts::Error when width < 1.
MaskCost maskCost(const AttentionMask& mask, int width);

// Three significant digits with an SI prefix: "307 MFLOP", "8.31 GFLOP", "1.2 TFLOP".
std::string formatFlops(double flops);

} // namespace ts
