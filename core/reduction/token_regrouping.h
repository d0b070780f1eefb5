#pragma once
// A token reduction as a map from each token to the token that holds it afterwards, for the
// methods whose merges are not ToMe's bipartite plan (PiToMe, ATC, EViT): one step of the merge
// and source machinery of core/tome (merge_wavg's size-weighted averages, sizes summed, source
// tracking by index as mergedTokenIndex gives it). Torch; include from core .cpp files only.
#include <torch/torch.h>

#include <vector>

namespace ts {

struct Regrouping {
    enum class Combine {
        SizeWeightedMean,  // every output token: sum(size x) / sum(size) over its members (merge_wavg)
        AttentionFusion    // single-member outputs copied; `fused` = sum(weight x) over its members (EViT)
    };
    Combine combine = Combine::SizeWeightedMean;
    int tokens = 0;                         // output length (the same for every image)
    std::vector<std::vector<int>> target;   // [image][input token] -> output token
    std::vector<int> fused;                 // AttentionFusion: [image] the fused output token (-1: none)
    std::vector<std::vector<float>> weight; // AttentionFusion: [image][input token] weight in the fused token

    bool changes() const { return !target.empty(); } // an empty regrouping leaves the tokens as they are
    // Throws ts::Error unless every image maps onto 0..tokens-1, each output token held.
    void check(int inputTokens) const;
};

// Applies the regrouping to x [B, N, C] and size [B, N, 1] (members summed in input order):
// the reduced tokens and their sizes (the summed sizes of the members, for proportional attention
// and source tracking, whatever the combine rule).
std::pair<torch::Tensor, torch::Tensor> applyRegrouping(const Regrouping& g, const torch::Tensor& x, const torch::Tensor& size);

// The similarities of the similarity-based methods (PiToMe, ATC): the cosines [B, T, T] between
// the metrics (keys [B, H, N, d] averaged over heads, core/tome keyMetric) of the T = N - prefix
// non-prefix tokens, contiguous float; the product is counted as FLOP part `part`.
torch::Tensor nonPrefixSimilarity(const torch::Tensor& keys, int prefixTokens, const char* part);

} // namespace ts
