#pragma once
// The arithmetic of the attention views (core/vit/attention_record.h), apart so tests can check
// it on its own. Torch; include from .cpp files only.
#include <torch/torch.h>

#include <vector>

namespace ts {

// A token-level attention row [N] spread over the original tokens [N0] through their holders
// (tokenOf[n0]: the token holding original token n0, ToMe's source by index) and sizes [N]: each
// token's weight is shared equally by the original tokens it holds, so the total is unchanged.
torch::Tensor spreadOverSources(const torch::Tensor& row, const std::vector<int>& tokenOf, const torch::Tensor& size);

// Rollout rows [N, N0] after a reduction that sent token i to tokenMap[i] (of `tokensAfter`): a
// new token's row is the size-weighted mean of its members' rows (merge_wavg for the merging
// methods; EViT's fused token likewise, by size), so every row still sums to one.
torch::Tensor mergeRolloutRows(const torch::Tensor& rollout, const std::vector<int>& tokenMap, const torch::Tensor& size,
                               std::int64_t tokensAfter);

// One step of attention rollout (Abnar & Zuidema 2020): `attention` [N, N] (head mean) with the
// residual, 0.5 A + 0.5 I, rows renormalised, times the rollout so far [N, N0].
torch::Tensor rolloutStep(const torch::Tensor& rollout, const torch::Tensor& attention);

} // namespace ts
