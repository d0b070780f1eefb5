#include "core/reduction/reduction_flops.h"

namespace ts {

std::optional<ArchSpec> reducedVitSpec(const VitConfig& config, ReductionMethod method, const std::vector<int>& perLayer)
{
    if (config.prefixTokens() > 1 || config.distillationHead)
        return std::nullopt;
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
