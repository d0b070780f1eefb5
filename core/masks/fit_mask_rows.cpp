#include "core/masks/fit_mask_rows.h"

#include "core/fit/fit_config.h"
#include "core/util/error.h"

#include <limits>

namespace ts {

FitMaskSpec fitMaskSpecFor(std::int64_t length, std::int64_t tokensPerGroup, std::int64_t latentsPerGroup,
                           bool autoregressive)
{
    if (tokensPerGroup < 1 || latentsPerGroup < 1)
        throw Error("FIT mask: group and latents must be at least 1");
    if (length % tokensPerGroup != 0)
        throw Error("FIT mask: length " + std::to_string(length) + " is not a multiple of the group size "
                    + std::to_string(tokensPerGroup));
    const std::int64_t groups = length / tokensPerGroup;
    constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
    if (groups > kIntMax || tokensPerGroup > kIntMax || latentsPerGroup > kIntMax || groups * latentsPerGroup > kIntMax)
        throw Error("FIT mask: too many groups or latents");
    FitMaskSpec spec;
    spec.groups = static_cast<int>(groups);
    spec.tokensPerGroup = static_cast<int>(tokensPerGroup);
    spec.latentsPerGroup = static_cast<int>(latentsPerGroup);
    spec.autoregressive = autoregressive;
    return spec;
}

FitMaskSpec fitMaskSpecFor(const FitConfig& config, std::int64_t length)
{
    return fitMaskSpecFor(length, config.tokensPerGroup(), config.latentsPerGroup, config.autoregressive);
}

FitMask::FitMask(const FitMaskSpec& spec, std::optional<FitMaskStage> stage) : m_spec(spec), m_stage(stage) {}

std::string FitMask::name() const
{
    if (!m_stage)
        return m_spec.autoregressive ? "fit-ar" : "fit";
    switch (*m_stage) {
    case FitMaskStage::Local: return "fit-local";
    case FitMaskStage::Read: return "fit-latent-read";
    case FitMaskStage::Global: return "fit-global";
    case FitMaskStage::Write: return "fit-data-read";
    }
    return "fit";
}

std::string FitMask::label() const
{
    static const char* names[] = {"FIT local", "FIT latent read", "FIT global", "FIT data read"};
    const std::string base = m_stage ? names[static_cast<int>(*m_stage)] : (m_spec.autoregressive ? "FIT-AR block" : "FIT block");
    return base + " (group " + std::to_string(m_spec.tokensPerGroup) + ", latents " + std::to_string(m_spec.latentsPerGroup)
           + (m_stage && m_spec.autoregressive ? ", AR" : "") + ")";
}

std::int64_t FitMask::queries() const
{
    return m_stage ? fitQueryCount(m_spec, *m_stage) : fitCombinedSize(m_spec);
}

std::int64_t FitMask::keys() const { return m_stage ? fitKeyCount(m_spec, *m_stage) : fitCombinedSize(m_spec); }

void FitMask::stageRanges(FitMaskStage stage, std::int64_t q, std::int64_t off, std::vector<KeyRange>& out) const
{
    const std::int64_t n = m_spec.tokensPerGroup, m = m_spec.latentsPerGroup;
    const bool ar = m_spec.autoregressive;
    switch (stage) {
    case FitMaskStage::Local: { // own group; FIT-AR causal inside it
        const std::int64_t g = q / n;
        out.push_back({off + g * n, off + (ar ? q + 1 : (g + 1) * n), KeyKind::Group});
        break;
    }
    case FitMaskStage::Read: { // latents read their own group's data
        const std::int64_t g = q / m;
        out.push_back({off + g * n, off + (g + 1) * n, KeyKind::Data});
        break;
    }
    case FitMaskStage::Global: // all latents; FIT-AR: groups up to the query's own
        out.push_back({off, off + (ar ? (q / m + 1) * m : latentCount()), KeyKind::Latent});
        break;
    case FitMaskStage::Write: { // FIT-AR shifts the latents by one group; group 0 reads none
        const std::int64_t source = q / n - (ar ? 1 : 0);
        if (source >= 0)
            out.push_back({off + source * m, off + (source + 1) * m, KeyKind::Latent});
        break;
    }
    }
}

void FitMask::keyRanges(std::int64_t query, std::vector<KeyRange>& out) const
{
    out.clear();
    if (m_stage) {
        stageRanges(*m_stage, query, 0, out);
        return;
    }
    const std::int64_t data = dataCount();
    if (query < data) { // data row: Local over data columns, then Write over latent columns
        stageRanges(FitMaskStage::Local, query, 0, out);
        stageRanges(FitMaskStage::Write, query, data, out);
    } else {            // latent row: Read over data columns, then Global over latent columns
        stageRanges(FitMaskStage::Read, query - data, 0, out);
        stageRanges(FitMaskStage::Global, query - data, data, out);
    }
}

std::string FitMask::dataName(std::int64_t slot) const
{
    return "data " + std::to_string(slot) + " (group " + std::to_string(slot / m_spec.tokensPerGroup) + ", slot "
           + std::to_string(slot % m_spec.tokensPerGroup) + ")";
}

std::string FitMask::latentName(std::int64_t latent) const
{
    return "latent " + std::to_string(latent) + " (group " + std::to_string(latent / m_spec.latentsPerGroup) + ", #"
           + std::to_string(latent % m_spec.latentsPerGroup) + ")";
}

std::string FitMask::describeQuery(std::int64_t p) const
{
    if (!m_stage)
        return p < dataCount() ? dataName(p) : latentName(p - dataCount());
    const bool latentQueries = *m_stage == FitMaskStage::Read || *m_stage == FitMaskStage::Global;
    return latentQueries ? latentName(p) : dataName(p);
}

std::string FitMask::describeKey(std::int64_t p) const
{
    if (!m_stage)
        return describeQuery(p);
    const bool latentKeys = *m_stage == FitMaskStage::Global || *m_stage == FitMaskStage::Write;
    return latentKeys ? latentName(p) : dataName(p);
}

} // namespace ts
