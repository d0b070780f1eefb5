#include "core/reduction/compare_api.h"

#include "core/util/error.h"
#include "core/vit/vit_api.h"

#include <algorithm>

namespace ts {

CompareResult runCompare(const CompareRequest& request, const RunControl& control)
{
    if (!request.model)
        throw Error("compare: no model");
    if (request.methods.empty())
        throw Error("compare: no methods");
    const VitConfig& config = vitConfigOf(*request.model);
    CompareResult out;
    for (const ReductionOptions& o : request.methods) {
        o.validate(config.depth);
        MethodComparison m;
        m.options = o;
        m.options.keepRatio = 0; // the budget's r list decides, not a keep ratio or rate
        m.options.keepRate = 0;
        m.budget = solveBudget(config, o, request.targetFlops);
        out.methods.push_back(std::move(m));
    }
    ToMeRequest base;
    base.model = request.model;
    base.imageRgb = request.imageRgb;
    base.normalisation = request.normalisation;
    base.normalisationGiven = request.normalisationGiven;
    base.measurePlain = false;
    base.schedule = ToMeSchedule::constant(0);
    // Progress over every run: run k's block b is step k * depth + b of (methods + 1) * depth.
    const int runs = static_cast<int>(out.methods.size()) + 1;
    auto stage = [&control, runs, depth = config.depth](int k, const std::string& name) {
        RunControl c = control;
        c.onProgress = [&control, k, runs, depth, name](int done, int total, const std::string&) {
            const int per = std::max(1, total);
            control.progress(k * depth + done * depth / per, runs * depth, name);
        };
        return c;
    };
    out.plain = runToMe(base, stage(0, "unreduced"));
    for (std::size_t k = 0; k < out.methods.size(); ++k) {
        MethodComparison& m = out.methods[k];
        control.throwIfCancelled();
        ToMeRequest r = base;
        r.reduction = m.options;
        r.schedule = ToMeSchedule::explicitList(m.budget.perLayer);
        m.run = runToMe(r, stage(static_cast<int>(k) + 1, reductionMethodTitle(m.options.method)));
        m.agreement = agreementOf(out.plain.output, m.run.output, config.numClasses > 0);
    }
    return out;
}

} // namespace ts
