#include "core/fit/fit_memory.h"

#include "core/nn/attention_path.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"

#include <algorithm>
#include <cstdio>

namespace ts {
namespace {

constexpr double kFloat = 4.0;

// timm Block: two LayerNorms, qkv, proj, fc1, fc2 (with biases).
double blockParameters(double w, double hidden) { return 4 * w + 3 * w * w + 3 * w + w * w + w + 2 * w * hidden + hidden + w; }

// CrossAttention: norm_q, norm_kv, q, kv, proj.
double crossParameters(double queryW, double contextW, double inner)
{
    return 2 * queryW + 2 * contextW + queryW * inner + inner + contextW * 2 * inner + 2 * inner + inner * queryW + queryW;
}

// Temporaries of one pre-norm transformer layer on `rows` sequences of `len` tokens of width w
// (floats), matching BlockImpl: attention stage LN + qkv + logits + softmax, or MLP stage
// attention output + LN + fc1 + GELU + fc2. With `materialised` false the fused kernel computes
// the attention and no logits or weights tensor exists (its scratch is heap, not tensors).
double layerTransient(double rows, double len, double w, double heads, double mlpRatio, bool materialised)
{
    const double tokens = rows * len * w;
    const double logits = materialised ? rows * heads * len * len : 0.0;
    const double attention = std::max({5 * tokens + logits, 4 * tokens + 2 * logits, 7 * tokens});
    const double mlp = (3 + 2 * mlpRatio) * tokens;
    return std::max(attention, mlp);
}

void keepLarger(MemoryEstimate& e, double bytes, const char* stage)
{
    if (bytes > e.transientBytes) {
        e.transientBytes = bytes;
        e.peakStage = stage;
    }
}

// Converting one band of image rows and embedding it: the float band, its patch-major copy and the
// tokens (padded, regrouped, plus pos_embed).
double embeddingTransient(double bandPixels, double bandTokens, double width)
{
    return (3 * 3 * bandPixels + 4 * bandTokens * width) * kFloat;
}

} // namespace

double fitParameterCount(const FitConfig& c, const Grouping& grouping)
{
    const LayerPattern pattern = c.layerPattern();
    const double cw = c.dataWidth, dw = c.latentWidth, p = c.crossWidth();
    double total = 3.0 * c.patchSize * c.patchSize * cw + cw;                // patch_embed
    total += double(grouping.tokensPerGroup()) * cw;                          // pos_embed
    total += double(grouping.groups()) * c.latentsPerGroup * dw;              // latents
    total += pattern.localLayers() * blockParameters(cw, c.mlpRatio * cw);
    total += pattern.globalLayers() * blockParameters(dw, c.mlpRatio * dw);
    for (int i = 0; i < static_cast<int>(pattern.blocks.size()); ++i) {
        if (pattern.blocks[static_cast<std::size_t>(i)].global > 0)
            total += crossParameters(dw, cw, p);
        if (pattern.hasWrite(i))
            total += crossParameters(cw, dw, p);
    }
    return total + 2 * cw + 2 * dw; // norm, latent_norm
}

MemoryEstimate estimateFitMemory(const FitConfig& c, const Grouping& grouping, int chunkTokens,
                                 const FitRecordingSize& recording)
{
    c.validate();
    const LayerPattern pattern = c.layerPattern();
    const double t = grouping.groups(), n = grouping.tokensPerGroup(), m = c.latentsPerGroup;
    const double cw = c.dataWidth, dw = c.latentWidth, p = c.crossWidth(), hc = c.crossHeads();
    const double k = std::clamp(std::max(chunkTokens, 1) / static_cast<int>(n), 1, static_cast<int>(t));
    const double latents = t * m;
    // As queriesPerChunk in fit_model.cpp: at least 16 queries, or all when there are fewer.
    const double qc = std::clamp(double(std::max(chunkTokens, static_cast<int>(n))) * n / latents, std::min(16.0, latents), latents);

    MemoryEstimate e;
    e.parameterBytes = fitParameterCount(c, grouping) * kFloat;
    // x [t, n, c], the working latents [t, m, d] (and the previous ones while a block's global
    // layers replace them), padding / causal biases.
    double persistent = t * n * cw + 2 * latents * dw;
    if (grouping.padded() || c.autoregressive)
        persistent += t * n * (c.autoregressive ? n : 1);
    e.persistentBytes = persistent * kFloat;

    const double bandPixels = double(c.groupSize) * c.patchSize * grouping.gridCols() * c.patchSize;
    keepLarger(e, embeddingTransient(bandPixels, double(grouping.groupCols()) * n, cw), "embedding");
    if (pattern.localLayers() > 0)
        keepLarger(e, layerTransient(k, n, cw, c.heads, c.mlpRatio, !fusedAttentionHandles(c.dataWidth / c.heads)) * kFloat,
                   "local layer");
    if (pattern.globalLayers() > 0) {
        // read: LN(data), kv, q, logits + softmax [k, H, m, n], output, projection
        const double read = k * n * cw + 2 * k * n * p + 2 * k * hc * m * n + k * m * (2 * dw + 3 * p);
        keepLarger(e, read * kFloat, "read");
        // global: qkv + gathered heads + one query chunk's logits and weights (none through the
        // fused kernel); then the MLP
        const double tokens = latents * dw;
        const double chunkLogits = fusedAttentionHandles(c.latentWidth / c.latentHeads) ? 0.0 : 2 * c.latentHeads * qc * latents;
        const double attention = 5 * tokens + chunkLogits + 2 * qc * dw
                                 + (c.autoregressive ? qc * latents * 1.25 : 0);
        const double mlp = (5 + 2 * c.mlpRatio) * tokens;
        keepLarger(e, std::max(attention, mlp) * kFloat, "global layer");
        // write: LN(data), q, LN(latents), kv, logits + softmax [k, H, n, m], output, projection, sum
        const double write = 3 * k * n * cw + 3 * k * n * p + 2 * k * hc * n * m + k * m * (dw + 2 * p);
        keepLarger(e, write * kFloat, "write");
    }
    if (recording.blocks > 0) {
        const double rows = recording.oneGroup ? 1 : t;
        int globalLayers = 0;
        for (const auto& b : pattern.blocks)
            globalLayers = std::max(globalLayers, b.global);
        const double perBlock = rows * hc * m * n + globalLayers * rows * t;
        e.recordingBytes = recording.blocks * perBlock * kFloat;
        // While recording, one chunk's weights stay alive a little longer (group-level reduction).
        e.recordingBytes += qc * latents * kFloat;
    }
    return e;
}

MemoryEstimate estimateFullAttentionMemory(std::int64_t tokens, int width, int heads, int depth, int mlpRatio,
                                           int patchSize, int imageWidthPx)
{
    MemoryEstimate e;
    const double w = width, l = static_cast<double>(tokens);
    e.parameterBytes = (depth * blockParameters(w, mlpRatio * w) + 3.0 * patchSize * patchSize * w + w + l * w + 2 * w) * kFloat;
    // The tokens, and the block's input kept while its output is computed.
    e.persistentBytes = 2 * l * w * kFloat;
    keepLarger(e, embeddingTransient(double(patchSize) * imageWidthPx, double(imageWidthPx) / patchSize, w),
               "embedding");
    // The baseline computes attention the standard way (StandardAttentionScope): [H, L, L] twice.
    keepLarger(e, layerTransient(1, l, w, heads, mlpRatio, /*materialised=*/true) * kFloat, "full attention layer");
    return e;
}

std::int64_t defaultMemoryLimit()
{
    // Keep some headroom for the process itself (code, image, allocator slack).
    const std::int64_t available = availableMemoryBytes();
    return available > 0 ? available - std::min<std::int64_t>(available / 10, std::int64_t(1) << 30) : 0;
}

void requireMemory(const MemoryEstimate& estimate, std::int64_t limitBytes, const std::string& what)
{
    const bool useAvailable = limitBytes <= 0;
    const std::int64_t limit = useAvailable ? defaultMemoryLimit() : limitBytes;
    if (limit <= 0)
        return; // no way to know; let the run try
    if (estimate.totalBytes() > static_cast<double>(limit))
        throw Error(what + ": needs about " + formatBytes(estimate.totalBytes()) + " (estimated peak, "
                    + estimate.peakStage + "), limit " + formatBytes(static_cast<double>(limit))
                    + (useAvailable ? " (available memory)" : ""));
}

std::string formatBytes(double bytes)
{
    char text[64];
    const double tib = 1024.0 * 1024 * 1024 * 1024;
    if (bytes >= 1024 * tib)
        std::snprintf(text, sizeof text, "%.3g PiB", bytes / (1024 * tib)); // %g: never a 300-digit number
    else if (bytes >= tib)
        std::snprintf(text, sizeof text, "%.2f TiB", bytes / tib);
    else if (bytes >= 1024.0 * 1024 * 1024)
        std::snprintf(text, sizeof text, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    else if (bytes >= 1024.0 * 1024)
        std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024));
    else
        std::snprintf(text, sizeof text, "%.0f KiB", bytes / 1024.0);
    return text;
}

} // namespace ts
