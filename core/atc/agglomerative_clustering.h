#pragma once
// ATC, agglomerative token clustering (Haurum et al., "Agglomerative Token Clustering", ECCV
// 2024, arXiv 2409.11923, Sec. 3), as the authors' code applies it to a ViT
// (github.com/JoakimHaurum/ATC, token_reduc/merge.py agglomerative_clustering and patch/timm.py),
// written anew: at each reduction layer the non-prefix tokens are clustered bottom-up on the
// cosine distance 1 - cos(k_i, k_j) of their keys averaged over heads, always joining the two
// closest clusters, until the target count remains; the linkage (single: the closest members,
// complete: the farthest, average: the mean over member pairs, each current token one point as
// in scikit-learn's AgglomerativeClustering) sets the distance between clusters. Each cluster
// becomes one token, the size-weighted mean of its members (merge_wavg); proportional attention
// follows, as in the authors' patch for off-the-shelf models. Prefix tokens are never clustered.
//
// Differences from the authors' code, on purpose: r is the number of tokens removed (their
// clustering into T - r clusters of the T - 1 non-class tokens removes r - 1 with a class token);
// clusters are ordered by their first member (scikit-learn numbers them arbitrarily); equal
// distances join the pair of clusters with the lowest first members first.
#include "core/reduction/reduction_method.h"
#include "core/reduction/token_regrouping.h"

#include <utility>
#include <vector>

namespace ts {

// Clusters `tokens` points with the symmetric distances `distance` (row-major tokens x tokens)
// down to `clusters`. Returns each point's cluster, numbered by first member (0, 1, ...); with
// `merges`, the joins in order as (first member of one cluster, first member of the other), lower first.
// Torch-free.
std::vector<int> agglomerativeClustering(const std::vector<double>& distance, int tokens, int clusters, Linkage linkage,
                                         std::vector<std::pair<int, int>>* merges = nullptr);

// The regrouping of ATC for keys [B, H, N, d], r tokens removed (clamped to N - prefix - 1): the
// prefix tokens first, then the clusters by first member. The similarity product is counted as
// part "atc_distance" (2 T^2 d per image).
Regrouping atcMerge(const torch::Tensor& keys, int r, Linkage linkage, int prefixTokens);

} // namespace ts
