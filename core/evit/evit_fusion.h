#pragma once
// EViT's token reorganisation (Liang et al., "Not All Patches are What You Need: Expediting
// Vision Transformers via Token Reorganizations", ICLR 2022, arXiv 2202.07800, Sec. 3), as the
// authors' code applies it (github.com/youweiliang/evit, evit.py: Attention and Block with
// fuse_token), written anew: at a reduction layer, after the attention residual, the non-prefix
// tokens are ranked by the class token's attention to them (the softmax weights of the class
// token's query, averaged over heads); the most attended are kept, in descending order, and the
// rest (inattentive) are fused into one token, their sum weighted by that attention (not
// renormalised, as the authors' code sums it). Order: prefix tokens, kept tokens, fused token.
// Pruning, not merging: no proportional attention. Equal attention keeps the lower index.
#include "core/reduction/token_regrouping.h"

namespace ts {

// The regrouping of EViT from the attention weights probs [B, H, N, N] (the class token at 0):
// r tokens removed net, r + 1 fused (r clamped to N - prefix - 2). No matrix products.
Regrouping evitFusion(const torch::Tensor& probs, int r, int prefixTokens);

} // namespace ts
