#pragma once
// Which token-reduction method a ViT run uses between attention and MLP, with each method's own
// parameters and the rule that turns its schedule into tokens removed per block. Torch-free.
//
//   ToMe    bipartite soft matching (Bolya et al., ICLR 2023; core/tome)
//   PiToMe  spectrum-preserving token merging (Tran et al., NeurIPS 2024, arXiv 2405.16148;
//           core/pitome)
//   ATC     agglomerative token clustering (Haurum et al., ECCV 2024, arXiv 2409.11923; core/atc)
//   EViT    attentive tokens kept, inattentive ones fused (Liang et al., ICLR 2022,
//           arXiv 2202.07800; core/evit)
//
// Proportional attention (log size added to the logits, ToMe Eq. 1): ToMe, PiToMe and ATC use it
// (their authors' timm patches pass the sizes to attention when evaluating off-the-shelf models);
// EViT does not (its fused token is an attention-weighted sum, not a size-weighted mean).
//
// In every method `r` is the net number of tokens a block removes, so budgets compare: ToMe and
// PiToMe at most (N - prefix) / 2, ATC down to one cluster (N - prefix - 1), EViT at most
// N - prefix - 2 (one kept token and the fused one; r removed = r + 1 pruned, 1 fused token added).
#include "core/tome/tome_schedule.h"

#include <string>
#include <vector>

namespace ts {

enum class ReductionMethod { ToMe, PiToMe, Atc, EVit };
enum class Linkage { Single, Complete, Average };

const char* reductionMethodName(ReductionMethod method); // "tome", "pitome", "atc", "evit"
const char* reductionMethodTitle(ReductionMethod method); // "ToMe", "PiToMe", "ATC", "EViT"
ReductionMethod reductionMethodFromName(const std::string& name); // throws ts::Error listing the names
const char* linkageName(Linkage linkage);                 // "single", "complete", "average"
Linkage linkageFromName(const std::string& name);         // throws ts::Error listing the names

struct ReductionOptions {
    ReductionMethod method = ReductionMethod::ToMe;
    // PiToMe: margin m0 of the energy (m at block l of L: m0 - m0 l / L; 0.9 in the authors'
    // patch for AugReg ViTs, 0.75 for DeiT and MAE), and the keep ratio: 0 = use the ToMe
    // schedule's r; in (0, 1): every block removes floor(T - T ratio) of its T non-prefix tokens.
    double margin = 0.9;
    double keepRatio = 0;
    // ATC: the linkage of the clustering (cosine distance on the keys).
    Linkage linkage = Linkage::Average;
    // EViT: keep rate in (0, 1] at the reduction layers (ceil(rate (N - prefix)) tokens kept);
    // 0 = use the schedule's r at those layers.
    double keepRate = 0;
    // Reduction layers (0-based blocks). Empty: every block (EViT: blocks 3, 6, 9 of 12, the
    // paper's 4th, 7th and 10th layers, scaled to the depth).
    std::vector<int> layers;

    // Throws ts::Error naming the bad parameter (ranges, layers outside the depth).
    void validate(int depth) const;
    // "r=8", "keep ratio 0.925, margin 0.9", "keep rate 0.7 at blocks 4,7,10", "r=8, average linkage".
    std::string describe(const ToMeSchedule& schedule, int depth) const;
    // The reduction layers for a model of `depth` blocks (0-based).
    std::vector<int> reductionLayers(int depth) const;
};

// Whether the method's paper applies proportional attention after merging.
bool usesProportionalAttention(ReductionMethod method);

// The most tokens one block can remove from `tokens` (prefix tokens never reduced), and r clamped to it.
int maxReduction(ReductionMethod method, int tokens, int prefixTokens);
int clampReduction(ReductionMethod method, int tokens, int r, int prefixTokens);

// Tokens left after each block (entry k: after block k + 1) when removing `perLayer`.
std::vector<int> tokenCountsAfterReduction(ReductionMethod method, int tokens, const std::vector<int>& perLayer,
                                           int prefixTokens);

// r requested for each block: the schedule's r at the reduction layers, or what the keep ratio
// (PiToMe) or keep rate (EViT) gives from the token count at that block; before clamping.
std::vector<int> reductionPerLayer(const ReductionOptions& options, const ToMeSchedule& schedule, int depth, int tokens,
                                   int prefixTokens);

// PiToMe's margin at block `layer` (0-based) of `depth`: m0 - m0 layer / depth.
double pitomeMargin(double m0, int layer, int depth);

} // namespace ts
