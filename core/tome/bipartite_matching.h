#pragma once
// ToMe's bipartite soft matching (Bolya et al., ICLR 2023, Sec. 3; authors' tome/merge.py
// bipartite_soft_matching, merge_wavg, merge_source). Torch; include from core .cpp files only.
#include <torch/torch.h>

namespace ts {

// Which tokens merge where, for one block. Tokens alternate into set A (even positions) and
// set B (odd positions); the r A-tokens with the most similar B-token merge into it.
//
// Protected prefix tokens (class, distillation, register tokens first in the sequence) never
// merge: an A-side prefix token is never chosen, and no token merges into a B-side prefix token
// (the authors' code for the class and distillation tokens: scores[..., 0, :] and
// scores[..., :, 0] = -inf). The merged sequence keeps the prefix tokens first in their order
// (the authors' cat([unm[:, :1], dst[:, :1], unm[:, 1:], dst[:, 1:]]) for two), then the other
// unmerged A-tokens in order, then the other B-tokens. With one prefix token this is exactly
// [unmerged A, B]; register tokens extend the same rule to more prefix tokens.
struct MergePlan {
    int r = 0;                 // tokens removed (0: the plan changes nothing)
    int protectedTokens = 0;   // prefix tokens kept first
    torch::Tensor unmergedIdx; // [B, |A| - r, 1] A-positions kept, in original order
    torch::Tensor srcIdx;      // [B, r, 1] A-positions merged away
    torch::Tensor dstIdx;      // [B, r, 1] B-positions they merge into
};

// ToMe's metric: keys [B, H, N, d] (any strides) averaged over heads -> [B, N, d], as
// keys.mean(1) computes it (heads summed in order, then divided by H), in one pass.
torch::Tensor keyMetric(const torch::Tensor& keys);

// metric [B, N, C] (keys averaged over heads). r is clamped to (N - protected) / 2. The first
// `protectedTokens` tokens never merge (a bool true is the class token alone).
MergePlan bipartiteSoftMatching(const torch::Tensor& metric, int r, int protectedTokens);
// From the keys [B, H, N, d] themselves (any strides, d contiguous): the same matching on their
// head mean, with the similarity step in one pass per image on CPU float keys
// (core/tome/best_match.h: its normalisation and products sum in another order than ATen's, so
// similarities can differ in the last bit and a near-tie at that level may break the other way).
MergePlan bipartiteSoftMatchingFromKeys(const torch::Tensor& keys, int r, int protectedTokens);
// The same as ATen tensor operations only, as the authors' code writes it (any device or type);
// bipartiteSoftMatching uses plain loops after the similarity product on CPU float tensors.
MergePlan bipartiteSoftMatchingTensor(const torch::Tensor& metric, int r, int protectedTokens);

// Applies a plan to x [B, N, C]: [prefix tokens, unmerged A-tokens in order, B-tokens], with each
// B-token reduced over the A-tokens merged into it ("sum", "mean", "amax", ...).
torch::Tensor mergeTokens(const torch::Tensor& x, const MergePlan& plan, const std::string& reduce);

// Size-weighted average merge (merge_wavg): returns the merged features and sizes [B, N', 1].
std::pair<torch::Tensor, torch::Tensor> mergeWeightedAverage(const MergePlan& plan, const torch::Tensor& x,
                                                             const torch::Tensor& size);

// Source tracking (merge_source): source [B, N, N0] is 1 where token n holds original token n0.
torch::Tensor mergeSource(const MergePlan& plan, const torch::Tensor& source);

// Source tracking by index, for one image of the batch: where each of the N tokens the plan was
// made for goes in the merged sequence (the order mergeTokens and mergeWeightedAverage write: the
// protected prefix tokens, the other unmerged A-tokens, then the other B-tokens; a merged A-token
// lands on its B-token). Composing these maps gives, for every
// original token, the token that holds it after each block: what merge_source's [N, N0] matrix
// says, in N0 integers instead of N x N0 floats (16,385 tokens at 2048 px: 64 KiB a layer instead
// of 1 GiB). `tokens` is the sequence length the plan was made for.
std::vector<int> mergedTokenIndex(const MergePlan& plan, int tokens, std::int64_t image = 0);

} // namespace ts
