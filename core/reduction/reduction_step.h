#pragma once
// One block's token reduction for every method of core/reduction/reduction_method.h, between
// attention and MLP (where ToMe merges): the method's plan, the reduced tokens and sizes, and
// image 0's map from the tokens before to those after (source tracking by index). Torch;
// include from core .cpp files only.
#include "core/reduction/reduction_method.h"

#include <torch/torch.h>

#include <vector>

namespace ts {

struct ReductionInputs {
    torch::Tensor keys;  // [B, H, N, d] (ToMe, PiToMe, ATC)
    torch::Tensor probs; // [B, H, N, N] attention weights (EViT)
};

// Reduces x [B, N, C] and size [B, N, 1] in place by `r` at block `layer` of `depth`. Returns
// false when nothing changed; else true, with `tokenMap` (when given) the token each of the N
// tokens of image 0 went to.
bool reduceTokens(const ReductionOptions& options, int layer, int depth, int r, int prefixTokens,
                  const ReductionInputs& in, torch::Tensor& x, torch::Tensor& size, std::vector<int>* tokenMap);

// Whether the block needs the attention weights (EViT at a reduction layer).
inline bool reductionNeedsAttention(const ReductionOptions& options, int r)
{
    return options.method == ReductionMethod::EVit && r > 0;
}

} // namespace ts
