#include "core/reduction/reduction_flops.h"

namespace ts {

std::optional<ArchSpec> reducedVitSpec(const VitConfig& config, ReductionMethod method, const std::vector<int>& perLayer)
{
    if (config.pool != VitPool::Token && config.pool != VitPool::Average)
        return std::nullopt; // the head reads both (twice the width): not described
    ArchSpec s;
    s.name = config.name.empty() ? "vit" : config.name;
    s.kind = ArchKind::ToMe;
    s.depth = config.depth;
    s.width = config.width;
    s.heads = config.heads;
    s.mlpRatio = static_cast<double>(config.mlpHidden) / config.width;
    s.patchSize = config.patchSize;
    s.inChannels = config.inChannels;
    s.classToken = config.classToken;
    s.extraTokens = config.prefixTokens() - (config.classToken ? 1 : 0);
    s.distillationHead = config.distillationHead && config.numClasses > 0; // no head: no head_dist either
    s.headOutputs = config.numClasses;
    s.schedule = ToMeSchedule::explicitList(perLayer);
    s.reduction = method;
    return s;
}

FlopBreakdown reducedFlops(const VitConfig& config, ReductionMethod method, const std::vector<int>& perLayer)
{
    const std::optional<ArchSpec> spec = reducedVitSpec(config, method, perLayer);
    if (!spec)
        return {};
    return countFlops(*spec, config.numPatches());
}

} // namespace ts
