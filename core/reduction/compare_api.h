#pragma once
// Token-reduction methods side by side at one FLOP budget, on one image: each method's schedule
// from the budget solver, its run (tokens, sources, output, time) and its agreement with the
// unreduced model. The command line's `compare` and the GUI's Compare lab call it. Torch-free.
#include "core/reduction/agreement.h"
#include "core/reduction/budget_solver.h"
#include "core/tome/tome_api.h"

#include <vector>

namespace ts {

struct CompareRequest {
    VitModelPtr model;
    cv::Mat imageRgb;
    Normalisation normalisation;
    bool normalisationGiven = false;
    std::vector<ReductionOptions> methods; // 1 or more (each method once)
    double targetFlops = 0;                 // batch 1, core/flops counting
};

struct MethodComparison {
    ReductionOptions options;
    BudgetSchedule budget;
    ToMeResult run;          // the method's own run (sources, tokens, time)
    Agreement agreement;     // with the unreduced model
};

struct CompareResult {
    ToMeResult plain;        // the unreduced model (r = 0)
    std::vector<MethodComparison> methods;
};

// Solves every method's budget first (throws ts::Error before any run when one cannot describe
// the model), then runs the unreduced model and each method; progress counts the blocks of all
// the runs together. Throws ts::Error or ts::Cancelled.
CompareResult runCompare(const CompareRequest& request, const RunControl& control = {});

} // namespace ts
