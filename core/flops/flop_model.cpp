#include "core/flops/flop_model.h"

#include "core/fit/layer_pattern.h"
#include "core/util/error.h"

#include <cmath>
#include <algorithm>

namespace ts {
namespace {

// Collects matmul FLOPs by part and by the current stage, elementwise work apart.
struct Tally {
    FlopBreakdown out;
    std::string stage = "layers";

    void matmul(const char* part, double flops)
    {
        if (flops <= 0)
            return;
        out.parts[part] += flops;
        out.stages[stage] += flops;
    }
    void elementwise(const char* kind, double flops)
    {
        if (flops > 0)
            out.elementwise[kind] += flops;
    }

    // The attention half of a pre-LN layer (norm1, qkv, Q K^T, softmax, weights x V, proj):
    // `rows` query tokens, `pairs` query-key logits computed (summed over every sequence).
    void attention(double rows, double pairs, double width, double heads)
    {
        elementwise("layernorm", 8 * rows * width);
        matmul("qkv", 2 * rows * width * 3 * width);
        matmul("attn_qk", 2 * pairs * width); // all heads: pairs x (heads x head_dim)
        elementwise("softmax", 5 * heads * pairs);
        matmul("attn_av", 2 * pairs * width);
        matmul("attn_proj", 2 * rows * width * width);
    }
    // The MLP half (norm2, fc1, GELU, fc2).
    void mlp(double rows, double width, double hidden)
    {
        elementwise("layernorm", 8 * rows * width);
        matmul("mlp", 2 * rows * width * hidden * 2);
        elementwise("gelu", 8 * rows * hidden);
    }
    void layer(double rows, double pairs, double width, double heads, double hidden)
    {
        attention(rows, pairs, width, heads);
        mlp(rows, width, hidden);
    }
    // FIT cross-attention (pix2seq TransformerDecoderLayer without MLP): `queries` rows of width
    // qw read `keys` rows of width kw; inner width p; `pairs` logits.
    void cross(double queries, double keys, double pairs, double qw, double kw, double p, double heads)
    {
        elementwise("layernorm", 8 * queries * qw + 8 * keys * kw);
        matmul("cross_q", 2 * queries * qw * p);
        matmul("cross_kv", 2 * keys * kw * 2 * p);
        matmul("cross_qk", 2 * pairs * p);
        elementwise("softmax", 5 * heads * pairs);
        matmul("cross_av", 2 * pairs * p);
        matmul("cross_proj", 2 * queries * p * qw);
    }
};

// Logits computed for one causal or bidirectional sequence of n tokens.
double squarePairs(double n, bool causal, const FlopConvention& c)
{
    return causal && c.causalHalf ? n * (n + 1) / 2 : n * n;
}

void patchEmbed(Tally& t, const ArchSpec& s, double patches)
{
    if (s.patchSize <= 0)
        return;
    t.stage = "embed";
    t.matmul("patch_embed", 2 * patches * s.inChannels * double(s.patchSize) * s.patchSize * s.width);
}

// Final LayerNorm and head.
void head(Tally& t, const ArchSpec& s, double tokens)
{
    t.stage = "head";
    t.elementwise("layernorm", 8 * tokens * s.width);
    if (s.headOutputs > 0)
        t.matmul("head", 2 * (s.headOnAllTokens ? tokens : (s.distillationHead ? 2.0 : 1.0)) * s.width * s.headOutputs);
}

void transformer(Tally& t, const ArchSpec& s, double n, const FlopConvention& c)
{
    t.stage = "layers";
    const double pairs = squarePairs(n, s.causal, c);
    for (int i = 0; i < s.depth; ++i)
        t.layer(n, pairs, s.width, s.heads, s.mlpHidden());
}

void window(Tally& t, const ArchSpec& s, double n, const FlopConvention& c)
{
    // ceil(n / w) windows; the last one holds the remainder.
    const double w = s.window, full = std::floor(n / w), rest = n - full * w;
    const double pairs = full * squarePairs(w, s.causal, c) + squarePairs(rest, s.causal, c);
    t.stage = "layers";
    for (int i = 0; i < s.depth; ++i)
        t.layer(n, pairs, s.width, s.heads, s.mlpHidden());
}

void tome(Tally& t, const ArchSpec& s, long long length, const FlopConvention& c)
{
    const std::vector<int> counts = tomeTokenCounts(s, length);
    const double headDim = double(s.width) / s.heads;
    for (int i = 0; i < s.depth; ++i) {
        const double before = counts[std::size_t(i)], after = counts[std::size_t(i) + 1];
        t.stage = "layers";
        t.attention(before, squarePairs(before, s.causal, c), s.width, s.heads);
        // The selection step, computed only when something is merged. ToMe's bipartite soft
        // matching (Sec. 3): A = even tokens, B = odd tokens, cosine scores over the keys averaged
        // across heads. PiToMe's energies and ATC's distances: all T x T cosine similarities of
        // the non-prefix tokens. EViT reads the attention weights: no product.
        if (after < before) {
            t.stage = "merge";
            const double free = before - s.prefixTokens();
            switch (s.reduction) {
            case ReductionMethod::ToMe:
                t.matmul("tome_match", 2 * std::ceil(before / 2) * std::floor(before / 2) * headDim);
                break;
            case ReductionMethod::PiToMe: t.matmul("pitome_energy", 2 * free * free * headDim); break;
            case ReductionMethod::Atc: t.matmul("atc_distance", 2 * free * free * headDim); break;
            case ReductionMethod::EVit: break;
            }
        }
        t.stage = "layers";
        t.mlp(after, s.width, s.mlpHidden());
    }
    head(t, s, counts.back());
}

void fit(Tally& t, const ArchSpec& s, double length, const FlopConvention& c)
{
    const LayerPattern pattern = parseLayerPattern(s.pattern);
    // As the model executes: t groups of n slots, the last group padded (padding is masked but
    // computed); m latents per group, T = t m latents in all.
    const double n = s.groupSize, groups = std::ceil(length / n), slots = groups * n;
    const double m = s.latentsPerGroup, latents = groups * m, d = s.latentWidth, cw = s.width;
    const double localPairs = groups * squarePairs(n, s.causal, c);
    // FIT-AR's global mask is group-causal: a latent sees the latents of its group and earlier ones.
    const double globalPairs = s.causal && c.causalHalf ? m * m * groups * (groups + 1) / 2 : latents * latents;
    const double p = s.crossWidth(), crossHeads = s.crossHeads();
    for (std::size_t b = 0; b < pattern.blocks.size(); ++b) {
        const FitBlockSpec& blk = pattern.blocks[b];
        t.stage = "local";
        for (int j = 0; j < blk.local; ++j)
            t.layer(slots, localPairs, cw, s.heads, s.mlpHidden());
        if (blk.global == 0)
            continue;
        t.stage = "read"; // latents <- their own group's n data slots
        t.cross(latents, slots, latents * n, d, cw, p, crossHeads);
        t.stage = "global";
        for (int j = 0; j < blk.global; ++j)
            t.layer(latents, globalPairs, d, s.latentHeads, s.latentMlpHidden());
        if (!pattern.hasWrite(int(b)))
            continue;
        t.stage = "write"; // data slots <- their own group's m latents
        t.cross(slots, latents, slots * m, cw, d, p, crossHeads);
    }
    t.stage = "head";
    t.elementwise("layernorm", 8 * slots * cw + 8 * latents * d);
    if (s.headOutputs > 0)
        t.matmul("head", 2 * (s.headOnAllTokens ? length : 1.0) * cw * s.headOutputs);
}

// BSWA / FAM as core/fam/fam_stream.cpp runs it, one block at a time per layer: queries are the
// block's tokens (and the F FAM queries), keys are [memory blocks | previous FAM | block].
void blockwise(Tally& t, const ArchSpec& s, long long length, const FlopConvention& c)
{
    const double b = s.block, mem = s.memory, f = s.kind == ArchKind::Fam ? s.famLength : 0;
    const long long blocks = (length + s.block - 1) / s.block;
    const double last = double(length - (blocks - 1) * s.block);
    // Memory keys of block tau: min(tau, M) full blocks (only the last block can be short).
    auto memorySum = [mem](double count) { // sum over tau < count of min(tau, M)
        const double a = std::min(count, mem);
        return a * (a - 1) / 2 + (count - a) * mem;
    };
    const double fullBlocks = double(blocks - 1);
    const double fullMemKeys = memorySum(fullBlocks) * b, lastMemKeys = std::min(fullBlocks, mem) * b;
    // Block rows: n x (memory + F + n) logits, of which n(n-1)/2 are causally masked.
    auto blockPairs = [&](double nBlocks, double memKeys, double n) {
        return n * (nBlocks * (f + n) + memKeys) - (s.causal && c.causalHalf ? nBlocks * n * (n - 1) / 2 : 0.0);
    };
    const double dataRows = fullBlocks * b + last;
    const double dataPairs = blockPairs(fullBlocks, fullMemKeys, b) + blockPairs(1, lastMemKeys, last);
    const double famRows = double(blocks) * f;
    const double famPairs = f * (famRows + fullMemKeys + lastMemKeys + dataRows); // FAM rows see every key column
    const double hidden = s.mlpHidden();
    for (int l = 0; l < s.depth; ++l) {
        t.stage = "layers";
        t.layer(dataRows, dataPairs, s.width, s.heads, hidden);
        if (f > 0) {
            t.stage = "fam";
            t.layer(famRows, famPairs, s.width, s.heads, hidden);
            // Each layer's first FAM is the prompt run through that layer (attending to itself).
            t.stage = "fam_prompt";
            t.layer(f, f * f, s.width, s.heads, hidden);
        }
    }
    if (s.headOutputs > 0) {
        t.stage = "head";
        t.matmul("head", 2 * double(length) * s.width * s.headOutputs);
    }
}

} // namespace

double FlopBreakdown::part(const std::string& name) const
{
    auto it = parts.find(name);
    return it == parts.end() ? 0.0 : it->second;
}

double FlopBreakdown::stage(const std::string& name) const
{
    auto it = stages.find(name);
    return it == stages.end() ? 0.0 : it->second;
}

double FlopBreakdown::attention() const
{
    return part("attn_qk") + part("attn_av") + part("cross_qk") + part("cross_av");
}

std::vector<int> tomeTokenCounts(const ArchSpec& spec, long long length)
{
    if (length < 1 || length > (1LL << 30))
        throw Error(spec.name + ": ToMe lengths must be between 1 and 2^30 tokens, got " + std::to_string(length));
    const int tokens = int(tokensFor(spec, length));
    std::vector<int> out{tokens};
    for (int n : tokenCountsAfterReduction(spec.reduction, tokens, spec.schedule.perLayer(spec.depth), spec.prefixTokens()))
        out.push_back(n);
    return out;
}

FlopBreakdown countFlops(const ArchSpec& spec, long long length, const FlopConvention& convention)
{
    spec.validate();
    if (length < 1)
        throw Error(spec.name + ": sequence length must be at least 1, got " + std::to_string(length));
    Tally t;
    const double tokens = double(tokensFor(spec, length));
    patchEmbed(t, spec, double(length));
    switch (spec.kind) {
    case ArchKind::Transformer:
        transformer(t, spec, tokens, convention);
        head(t, spec, tokens);
        break;
    case ArchKind::Window:
        window(t, spec, tokens, convention);
        head(t, spec, tokens);
        break;
    case ArchKind::ToMe: tome(t, spec, length, convention); break;
    case ArchKind::Fit: fit(t, spec, double(length), convention); break;
    case ArchKind::Bswa:
    case ArchKind::Fam: blockwise(t, spec, length, convention); break;
    }
    const double scale = convention.scale(), elementScale = convention.training ? 3.0 : 1.0;
    for (auto* m : {&t.out.parts, &t.out.stages})
        for (auto& [name, v] : *m)
            v *= scale;
    for (auto& [name, v] : t.out.elementwise)
        v *= elementScale;
    for (const auto& [name, v] : t.out.parts)
        t.out.total += v;
    return t.out;
}

} // namespace ts
