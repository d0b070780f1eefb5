#include "core/reduction/reduction_step.h"

#include "core/atc/agglomerative_clustering.h"
#include "core/evit/evit_fusion.h"
#include "core/pitome/pitome_merge.h"
#include "core/reduction/token_regrouping.h"
#include "core/tome/bipartite_matching.h"

namespace ts {
namespace {

Regrouping regroupingOf(const ReductionOptions& o, int layer, int depth, int r, int prefixTokens, const ReductionInputs& in)
{
    switch (o.method) {
    case ReductionMethod::PiToMe: return pitomeMerge(in.keys, r, pitomeMargin(o.margin, layer, depth), prefixTokens);
    case ReductionMethod::Atc: return atcMerge(in.keys, r, o.linkage, prefixTokens);
    case ReductionMethod::EVit: return evitFusion(in.probs, r, prefixTokens);
    case ReductionMethod::ToMe: break;
    }
    return {};
}

} // namespace

bool reduceTokens(const ReductionOptions& options, int layer, int depth, int r, int prefixTokens,
                  const ReductionInputs& in, torch::Tensor& x, torch::Tensor& size, std::vector<int>* tokenMap)
{
    if (r <= 0)
        return false;
    const int tokens = static_cast<int>(x.size(1));
    if (options.method == ReductionMethod::ToMe) {
        // Every prefix token (class, distillation, registers) is protected.
        const MergePlan plan = bipartiteSoftMatchingFromKeys(in.keys, r, prefixTokens);
        if (plan.r <= 0)
            return false;
        if (tokenMap)
            *tokenMap = mergedTokenIndex(plan, tokens);
        std::tie(x, size) = mergeWeightedAverage(plan, x, size);
        return true;
    }
    const Regrouping g = regroupingOf(options, layer, depth, r, prefixTokens, in);
    if (!g.changes())
        return false;
    if (tokenMap)
        *tokenMap = g.target.front();
    std::tie(x, size) = applyRegrouping(g, x, size);
    return true;
}

} // namespace ts
