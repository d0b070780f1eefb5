#pragma once
// The effective mask of a ToMe-merged sequence (Bolya et al. 2023) over the ORIGINAL positions
// [class token | patches in raster order]. Merged tokens still attend to every token, so every
// key is reachable; what merging changes is that the patches of one token share one query and
// one key. A key patch merged into the query's own token is tagged SameToken. The pairs a model
// computes are token pairs (T^2), not patch pairs.
#include "core/masks/attention_mask.h"

namespace ts {

class ToMeMask : public AttentionMask {
public:
    // tokenOfPatch[p] = index (>= 1) of the token holding patch p after some block (ToMeResult);
    // the class token is token 0 and never merges.
    explicit ToMeMask(std::vector<int> tokenOfPatch, int layer = -1);
    std::string name() const override { return "tome"; }
    std::string label() const override;
    std::int64_t queries() const override { return m_positions; }
    std::int64_t keys() const override { return m_positions; }
    std::int64_t dataLength() const override { return m_positions; }
    void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const override;
    std::string describeQuery(std::int64_t position) const override;
    std::string describeKey(std::int64_t position) const override { return describeQuery(position); }
    std::int64_t allowedPairs() const override { return m_positions * m_positions; }
    std::int64_t computedPairs() const override { return m_tokens * m_tokens; }

    std::int64_t tokens() const { return m_tokens; }

private:
    int tokenAt(std::int64_t position) const { return position == 0 ? 0 : m_tokenOfPatch[position - 1]; }

    std::vector<int> m_tokenOfPatch;
    std::vector<std::vector<std::int64_t>> m_positionsOfToken; // sorted
    std::int64_t m_positions = 0, m_tokens = 0;
    int m_layer;
};

} // namespace ts
