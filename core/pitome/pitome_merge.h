#pragma once
// PiToMe, spectrum-preserving token merging (Tran et al., "Accelerating Transformers with
// Spectrum-Preserving Token Merging", NeurIPS 2024, arXiv 2405.16148, Sec. 3 and Alg. 1), with
// the behaviour of the authors' image code (github.com/hchautran/PiToMe, algo/pitome/merge.py
// pitome_vision, merge_wavg, merge_source; algo/pitome/patch/timm.py), written anew:
//
//   metric    the keys averaged over heads (as ToMe), prefix tokens left out: T tokens
//   energy    E_i = mean over all j of f_m(cos(k_i, k_j)), f_m(x) = ELU(x - m) (x - m if x > m,
//             exp(x - m) - 1 else), margin m = m0 - m0 l / L at block l of L
//   split     tokens by descending energy; the first 2r are merge candidates, alternately into
//             A (ranks 0, 2, ...) and B (ranks 1, 3, ...); the rest are protected (distinctive)
//   match     every A token merges into its most similar B token (first on ties): r removed
//   order     prefix tokens, protected tokens by descending energy, B tokens by rank
//
// Features are merged as size-weighted means and proportional attention follows (as ToMe).
// Equal energies are ordered by token index (a stable sort; torch.argsort leaves them open).
#include "core/reduction/token_regrouping.h"

#include <vector>

namespace ts {

// One image's choice from its T x T cosine similarities (row-major, T non-prefix tokens).
struct PitomeChoice {
    std::vector<double> energy;       // [T]
    std::vector<int> order;           // [T] tokens by descending energy
    std::vector<int> a, b;            // [r] candidates: ranks 0, 2, ... and 1, 3, ...
    std::vector<int> protectedTokens; // [T - 2r] by descending energy
    std::vector<int> destination;     // [r] the B index (into b) each A token merges into
};

// r clamped to T / 2. Torch-free arithmetic (double) on float similarities.
PitomeChoice pitomeChoice(const float* similarity, int tokens, int r, double margin);

// The regrouping of PiToMe for keys [B, H, N, d]: prefix tokens kept first, as above. The
// similarity product is counted as part "pitome_energy" (2 T^2 d per image).
Regrouping pitomeMerge(const torch::Tensor& keys, int r, double margin, int prefixTokens);

} // namespace ts
