#pragma once
// ToMe's similarity step on the CPU in one pass per image (Sec. 3 of the paper; the authors'
// bipartite_soft_matching up to the row maxima): the keys averaged over heads, each A-token's
// and B-token's metric normalised, every A-B dot product register-tiled, and each A-token's best
// B-token. Replaces six ATen calls and a BLAS product of ~100 x 64 x 100 (about 80 us of a
// ViT-S block at batch 1, where the block takes 300-3000 us). Torch-free.
#include <cstdint>

namespace ts {

// The keys of one image, [heads][tokens][d] with any head and token strides (floats), d contiguous.
struct KeyView {
    const float* data = nullptr;
    std::int64_t heads = 0, tokens = 0, d = 0;
    std::int64_t headStride = 0, tokenStride = 0;
};

enum class MatchKernel { Best, Portable };

// For every A-token i (token 2i): best[i] = max over B-tokens j (token 2j + 1) of the cosine
// similarity of their metrics (keys summed over heads in order, / heads, then / their 2-norm, as
// keys.mean(1) / norm computes them), bestIndex[i] the first j reaching it; NaN (a zero metric)
// counts as the largest, as torch.max has it. With `classToken`, token 0 gets -inf and index 0.
// Needs at least two tokens; best and bestIndex hold (tokens + 1) / 2 entries.
void bestMatches(const KeyView& keys, bool classToken, float* best, std::int64_t* bestIndex,
                 MatchKernel kernel = MatchKernel::Best);

} // namespace ts
