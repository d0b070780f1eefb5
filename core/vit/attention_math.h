#pragma once
// The arithmetic of the attention views (core/vit/attention_record.h), apart so tests can check
// it on its own. Torch; include from .cpp files only.
#include <torch/torch.h>

namespace ts {

// A token-level attention row [N] spread over the original tokens [N0] through ToMe's source
// matrix [N, N0] (1 where token n holds original token n0) and sizes [N]: each token's weight is
// shared equally by the original tokens it holds, so the total weight is unchanged.
torch::Tensor spreadOverSources(const torch::Tensor& row, const torch::Tensor& source, const torch::Tensor& size);

// One step of attention rollout (Abnar & Zuidema 2020): `attention` [N, N] (head mean) with the
// residual, 0.5 A + 0.5 I, rows renormalised, times the rollout so far [N, N0].
torch::Tensor rolloutStep(const torch::Tensor& rollout, const torch::Tensor& attention);

} // namespace ts
