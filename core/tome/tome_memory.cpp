#include "core/tome/tome_memory.h"

#include "core/util/memory_estimate.h"
#include "core/nn/attention_path.h"
#include "core/util/error.h"

#include <algorithm>

namespace ts {

double estimateToMeMemoryBytes(const VitConfig& c, int batch, bool recordSources, ReductionMethod method)
{
    const double b = batch, n = c.numTokens(), d = c.width, h = c.heads, hidden = c.mlpHidden;
    const double pixels = double(c.inChannels) * c.imageSize * c.imageSize;
    // Kept through a block: the (expanded, contiguous) input batch, the residual stream and the
    // token sizes.
    const double persistent = b * pixels + 2 * b * n * d + b * n;
    // Attention (Sec. 3 of the ToMe paper keeps a standard block): normed x, qkv and its three
    // head-split copies, logits, biased logits (proportional attention) and softmax over N x N per
    // head (none of those through the fused kernel), the heads' output and the projection.
    const double scores = fusedAttentionHandles(c.width / c.heads) ? 0.0 : 3 * h * n * n;
    const double attention = b * (n * d * 9 + scores);
    // MLP: normed x, fc1 and its GELU, fc2, the residual sum, and the merged stream beside the
    // one it replaced (measured: 10.4 MiB at ViT-Ti/16 batch 4, where three token widths gave 9.8).
    const double mlp = b * (n * d * 5 + 2 * n * hidden);
    // Bipartite soft matching: normalised keys and the (N/2) x (N/2) similarity scores with their
    // row maxima and sort.
    double matching = b * (n * d + 2 * (n / 2) * (n / 2));
    if (method == ReductionMethod::PiToMe || method == ReductionMethod::Atc)
        matching = b * (2 * n * d + n * n) + (method == ReductionMethod::Atc ? 2 * n * n : 0.0);
    if (method == ReductionMethod::EVit)
        matching = attention + b * h * n * n; // the weights kept beside the attention stage's buffers

    // Source tracking keeps, for image 0 and every layer, the token index of each original token
    // and the token sizes (4 bytes each; core/tome/bipartite_matching.h mergedTokenIndex), twice
    // over while the result is filled.
    const double trace = recordSources ? 2.0 * (c.depth + 1) * 2 * n : 0;
    return 4.0 * (persistent + std::max({attention, mlp, matching}) + trace);
}

void requireToMeMemory(const VitConfig& config, int batch, bool recordSources, std::int64_t limitBytes,
                       ReductionMethod method)
{
    const bool useAvailable = limitBytes <= 0;
    const std::int64_t limit = useAvailable ? defaultMemoryLimit() : limitBytes;
    if (limit <= 0)
        return; // no way to know; let the run try
    const double needed = estimateToMeMemoryBytes(config, batch, recordSources, method);
    if (needed > double(limit))
        throw Error(std::string(reductionMethodTitle(method)) + ": batch " + std::to_string(batch) + " at " + std::to_string(config.numTokens()) + " tokens ("
                    + std::to_string(config.imageSize) + " px) needs ~" + formatBytes(needed) + ", "
                    + formatBytes(double(limit)) + (useAvailable ? " available" : " allowed"));
}

} // namespace ts
