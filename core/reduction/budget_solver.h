#pragma once
// Equal cost for every method: the per-block schedule of a token-reduction method that lands on
// a FLOP budget, from the analytic counts (core/reduction/reduction_flops.h), which the measured
// counts equal. Torch-free.
//
// How the schedule is chosen: the method removes r tokens at each of its reduction layers
// (every block; EViT: its reduction layers), plus one more at the first k of them; of every r
// (0 to the token count) and k (0 to the number of layers) the schedule whose analytic FLOPs are
// closest to the target wins (the smallest r and k on ties). One extra token at one
// layer moves the count by well under 1% of a ViT's, so the result lands within 1% unless the
// target lies outside what the method can reach (below its largest reduction, or above the
// unreduced model), which `withinTolerance` reports.
#include "core/reduction/reduction_method.h"
#include "core/vit/vit_config.h"

#include <vector>

namespace ts {

struct BudgetSchedule {
    std::vector<int> perLayer;  // r requested at each block (0 outside the reduction layers)
    std::vector<int> tokens;    // tokens after each block
    double flops = 0;           // analytic FLOPs of the schedule (batch 1)
    double plainFlops = 0;      // the unreduced model's
    double target = 0;
    bool withinTolerance = false; // |flops - target| <= 1% of target
};

// Throws ts::Error when the analytic model does not describe the ViT (a head on the class token
// and the patch average together) or the target is not a positive number.
BudgetSchedule solveBudget(const VitConfig& config, const ReductionOptions& options, double targetFlops);

// The unreduced model's analytic FLOPs (batch 1).
double plainVitFlops(const VitConfig& config);

} // namespace ts
