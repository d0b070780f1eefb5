#include "core/reduction/compare_api.h"

#include "core/util/error.h"
#include "core/vit/vit_api.h"

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
    out.plain = runToMe(base, control);
    for (MethodComparison& m : out.methods) {
        control.throwIfCancelled();
        ToMeRequest r = base;
        r.reduction = m.options;
        r.schedule = ToMeSchedule::explicitList(m.budget.perLayer);
        m.run = runToMe(r, control);
        m.agreement = agreementOf(out.plain.output, m.run.output, config.numClasses > 0);
    }
    return out;
}

} // namespace ts
