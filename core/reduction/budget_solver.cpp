#include "core/reduction/budget_solver.h"

#include "core/reduction/reduction_flops.h"
#include "core/util/error.h"
#include "core/util/printable.h"

#include <cmath>

namespace ts {
namespace {

// r at every reduction layer, r + 1 at the first `extra` of them.
std::vector<int> scheduleOf(const std::vector<int>& layers, int depth, int r, int extra)
{
    std::vector<int> out(static_cast<std::size_t>(depth), 0);
    for (std::size_t i = 0; i < layers.size(); ++i)
        out[static_cast<std::size_t>(layers[i])] = r + (static_cast<int>(i) < extra ? 1 : 0);
    return out;
}

double flopsOf(const VitConfig& config, ReductionMethod method, const std::vector<int>& perLayer)
{
    return reducedFlops(config, method, perLayer).total;
}

} // namespace

double plainVitFlops(const VitConfig& config)
{
    if (!reducedVitSpec(config, ReductionMethod::ToMe, {}))
        throw Error("budget: the analytic FLOP model does not describe this model (its head reads the class token and "
                    "the patch average, twice the width)");
    return flopsOf(config, ReductionMethod::ToMe, std::vector<int>(static_cast<std::size_t>(config.depth), 0));
}

BudgetSchedule solveBudget(const VitConfig& config, const ReductionOptions& options, double targetFlops)
{
    if (!(targetFlops > 0) || !std::isfinite(targetFlops))
        throw Error("budget: the target must be a positive number of FLOPs, got " + numberText(targetFlops));
    BudgetSchedule out;
    out.target = targetFlops;
    out.plainFlops = plainVitFlops(config);
    const std::vector<int> layers = options.reductionLayers(config.depth);
    const int depth = config.depth, most = config.numTokens();
    // Every r and k (a few thousand closed forms): FLOPs need not fall monotonically with r
    // (PiToMe's and ATC's similarity products are paid only at blocks that reduce).
    double best = -1;
    for (int r = 0; r <= most; ++r)
        for (int extra = 0; extra <= static_cast<int>(layers.size()); ++extra) {
            const std::vector<int> s = scheduleOf(layers, depth, r, extra);
            const double f = flopsOf(config, options.method, s);
            if (best < 0 || std::abs(f - targetFlops) < std::abs(best - targetFlops)) {
                best = f;
                out.perLayer = s;
            }
        }
    out.flops = best;
    out.tokens = tokenCountsAfterReduction(options.method, config.numTokens(), out.perLayer, config.prefixTokens());
    out.withinTolerance = std::abs(best - targetFlops) <= 0.01 * targetFlops;
    return out;
}

} // namespace ts
