#include "core/fit/fit_attention_rules.h"

namespace ts {
namespace {

std::int64_t dataCount(const FitMaskSpec& s) { return std::int64_t(s.groups) * s.tokensPerGroup; }
std::int64_t latentCount(const FitMaskSpec& s) { return std::int64_t(s.groups) * s.latentsPerGroup; }

} // namespace

std::int64_t fitQueryCount(const FitMaskSpec& spec, FitMaskStage stage)
{
    return stage == FitMaskStage::Local || stage == FitMaskStage::Write ? dataCount(spec) : latentCount(spec);
}

std::int64_t fitKeyCount(const FitMaskSpec& spec, FitMaskStage stage)
{
    return stage == FitMaskStage::Local || stage == FitMaskStage::Read ? dataCount(spec) : latentCount(spec);
}

bool fitAllowed(const FitMaskSpec& spec, FitMaskStage stage, std::int64_t q, std::int64_t k)
{
    if (spec.tokensPerGroup < 1 || spec.latentsPerGroup < 1 || q < 0 || k < 0 || q >= fitQueryCount(spec, stage)
        || k >= fitKeyCount(spec, stage))
        return false;
    const std::int64_t n = spec.tokensPerGroup, m = spec.latentsPerGroup;
    switch (stage) {
    case FitMaskStage::Local:
        if (q / n != k / n)
            return false;
        return !spec.autoregressive || k % n <= q % n;
    case FitMaskStage::Read:
        return q / m == k / n;
    case FitMaskStage::Global:
        return !spec.autoregressive || k / m <= q / m;
    case FitMaskStage::Write:
        return spec.autoregressive ? k / m == q / n - 1 : k / m == q / n;
    }
    return false;
}

std::int64_t fitCombinedSize(const FitMaskSpec& spec) { return dataCount(spec) + latentCount(spec); }

bool fitCombinedAllowed(const FitMaskSpec& spec, std::int64_t q, std::int64_t k)
{
    const std::int64_t data = dataCount(spec);
    if (q < 0 || k < 0 || q >= fitCombinedSize(spec) || k >= fitCombinedSize(spec))
        return false;
    const bool qData = q < data, kData = k < data;
    if (qData && kData)
        return fitAllowed(spec, FitMaskStage::Local, q, k);
    if (!qData && kData)
        return fitAllowed(spec, FitMaskStage::Read, q - data, k);
    if (!qData && !kData)
        return fitAllowed(spec, FitMaskStage::Global, q - data, k - data);
    return fitAllowed(spec, FitMaskStage::Write, q, k - data);
}

} // namespace ts
