#pragma once
// FIT's attention masks (Chen & Li 2023) as row ranges for the mask lab: how each mask is drawn. The rules and index
// spaces are the FIT model's own (core/fit/fit_attention_rules.h: FitMaskSpec, FitMaskStage, fitAllowed);
// this file only describes each row as ranges, and tst_masks checks every pair against
// fitAllowed / fitCombinedAllowed so the drawn mask and the model cannot drift apart.
//   Local  data -> data      (Group kind)      Read  latent -> data (Data kind)
//   Global latent -> latent  (Latent kind)     Write data -> latent (Latent kind)
//   Combined: all four over [data (t n) | latents (t m)]; with autoregressive = true this is the
//   whole FIT-AR block in one picture (the "fit-ar" mask).
#include "core/fit/fit_attention_rules.h"
#include "core/masks/attention_mask.h"

#include <optional>

namespace ts {

struct FitConfig;

// t = L / n groups of n = g^2 data tokens, m latents each, from a FIT model's configuration.
// Throws ts::Error when L is not a multiple of n.
FitMaskSpec fitMaskSpecFor(std::int64_t length, std::int64_t tokensPerGroup, std::int64_t latentsPerGroup,
                           bool autoregressive);
FitMaskSpec fitMaskSpecFor(const FitConfig& config, std::int64_t length);

class FitMask : public AttentionMask {
public:
    // stage empty: the combined mask.
    FitMask(const FitMaskSpec& spec, std::optional<FitMaskStage> stage);
    std::string name() const override;
    std::string label() const override;
    std::int64_t queries() const override;
    std::int64_t keys() const override;
    std::int64_t dataLength() const override { return dataCount(); }
    void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const override;
    std::string describeQuery(std::int64_t position) const override;
    std::string describeKey(std::int64_t position) const override;

    const FitMaskSpec& spec() const { return m_spec; }

private:
    std::int64_t dataCount() const { return std::int64_t(m_spec.groups) * m_spec.tokensPerGroup; }
    std::int64_t latentCount() const { return std::int64_t(m_spec.groups) * m_spec.latentsPerGroup; }
    // Row of one stage in that stage's own index space; keys shifted by `keyOffset`.
    void stageRanges(FitMaskStage stage, std::int64_t query, std::int64_t keyOffset, std::vector<KeyRange>& out) const;
    std::string dataName(std::int64_t slot) const;
    std::string latentName(std::int64_t latent) const;

    FitMaskSpec m_spec;
    std::optional<FitMaskStage> m_stage;
};

} // namespace ts
