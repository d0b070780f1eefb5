#include "core/fit/fit_model.h"

#include "core/nn/attention.h"
#include "core/nn/ops.h"
#include "core/nn/random_init.h"
#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ts {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Progress {
    const RunControl* control = nullptr;
    int done = 0, total = 1;
    void check() const
    {
        if (control)
            control->throwIfCancelled();
    }
    void step(const std::string& what)
    {
        ++done;
        if (control)
            control->progress(done, total, what);
    }
};

int groupsPerChunk(int chunkTokens, int n, int t) { return std::clamp(chunkTokens / n, 1, t); }

// Global attention logits per query chunk stay no larger than a local chunk's ([k, H, n, n]),
// with at least 16 queries a chunk, or all of them when there are fewer (std::clamp needs lo <= hi).
int queriesPerChunk(int chunkTokens, int n, std::int64_t latents)
{
    const std::int64_t budget = static_cast<std::int64_t>(std::max(chunkTokens, n)) * n;
    return static_cast<int>(std::clamp<std::int64_t>(budget / latents, std::min<std::int64_t>(16, latents), latents));
}

torch::Tensor sliceGroups(const torch::Tensor& bias, int t, int start, int count)
{
    if (!bias.defined() || bias.dim() != 4 || bias.size(0) != t)
        return bias; // undefined or shared by all groups
    return bias.narrow(0, start, count);
}

std::string chunkLabel(int block, const char* what, int s, int count, int t)
{
    return "block " + std::to_string(block + 1) + " " + what + ", groups " + std::to_string(s + 1) + "-"
           + std::to_string(s + count) + "/" + std::to_string(t);
}

} // namespace

// --- Cross-attention ------------------------------------------------------------------------------

CrossAttentionImpl::CrossAttentionImpl(int queryWidth, int contextWidth, int heads_, int innerWidth) : heads(heads_)
{
    norm_q = register_module("norm_q", makeLayerNorm(queryWidth));
    norm_kv = register_module("norm_kv", makeLayerNorm(contextWidth));
    q = register_module("q", torch::nn::Linear(queryWidth, innerWidth));
    kv = register_module("kv", torch::nn::Linear(contextWidth, 2 * innerWidth));
    proj = register_module("proj", torch::nn::Linear(innerWidth, queryWidth));
}

torch::Tensor CrossAttentionImpl::forward(const torch::Tensor& query, const torch::Tensor& context,
                                          const torch::Tensor& bias, torch::Tensor* probs) const
{
    const auto b = query.size(0), nq = query.size(1), nk = context.size(1);
    const auto inner = q->weight.size(0), hd = inner / heads;
    torch::Tensor qh = ops::linear(ops::layerNorm(query, norm_q), q, "cross_q", &qPacked).reshape({b, nq, heads, hd}).transpose(1, 2);
    torch::Tensor kvh = ops::linear(ops::layerNorm(context, norm_kv), kv, "cross_kv", &kvPacked)
                            .reshape({b, nk, 2, heads, hd})
                            .permute({2, 0, 3, 1, 4}); // [2, B, H, Nk, hd]
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    torch::Tensor logits = ops::matmul(qh * scale, kvh[0].transpose(-2, -1), "cross_qk");
    if (bias.defined())
        logits.add_(bias);
    torch::Tensor weights = ops::softmax(logits);
    logits = torch::Tensor();
    if (probs)
        *probs = weights;
    torch::Tensor out = ops::matmul(weights, kvh[1], "cross_av").transpose(1, 2).reshape({b, nq, inner});
    return query + ops::linear(out, proj, "cross_proj", &projPacked);
}

// --- FIT block ------------------------------------------------------------------------------------

FitBlockImpl::FitBlockImpl(const FitConfig& c, const FitBlockSpec& spec_, bool withWrite) : spec(spec_)
{
    local = register_module("local", torch::nn::ModuleList());
    for (int j = 0; j < spec.local; ++j)
        local->push_back(Block(c.dataWidth, c.heads, c.mlpRatio * c.dataWidth));
    global = register_module("global", torch::nn::ModuleList());
    for (int j = 0; j < spec.global; ++j)
        global->push_back(Block(c.latentWidth, c.latentHeads, c.mlpRatio * c.latentWidth));
    if (spec.global > 0)
        read = register_module("read", CrossAttention(c.latentWidth, c.dataWidth, c.crossHeads(), c.crossWidth()));
    if (withWrite)
        write = register_module("write", CrossAttention(c.dataWidth, c.latentWidth, c.crossHeads(), c.crossWidth()));
}

bool FitRecorder::wants(int block) const
{
    return enabled && (blocks.empty() || std::find(blocks.begin(), blocks.end(), block) != blocks.end());
}

// --- Model ----------------------------------------------------------------------------------------

FitModelImpl::FitModelImpl(const FitConfig& config_, const Grouping& grouping_)
    : config(config_), grouping(grouping_)
{
    config.validate();
    pattern = config.layerPattern();
    if (grouping.groupSize() != config.groupSize)
        throw Error("FIT: grouping uses g = " + std::to_string(grouping.groupSize()) + ", config says "
                    + std::to_string(config.groupSize));
    const int t = grouping.groups(), n = grouping.tokensPerGroup();
    patch_embed = register_module("patch_embed", PatchEmbed(3, config.dataWidth, config.patchSize));
    pos_embed = register_parameter("pos_embed", torch::zeros({1, n, config.dataWidth}));
    latents = register_parameter("latents", torch::zeros({std::int64_t(t) * config.latentsPerGroup, config.latentWidth}));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < static_cast<int>(pattern.blocks.size()); ++i)
        blocks->push_back(FitBlock(config, pattern.blocks[static_cast<std::size_t>(i)], pattern.hasWrite(i)));
    norm = register_module("norm", makeLayerNorm(config.dataWidth));
    latent_norm = register_module("latent_norm", makeLayerNorm(config.latentWidth));
    if (grouping.padded()) {
        m_paddingBias = torch::zeros({t, 1, 1, n});
        auto acc = m_paddingBias.accessor<float, 4>();
        for (int s = 0; s < t * n; ++s)
            if (grouping.patchOfSlot(s) < 0)
                acc[s / n][0][0][s % n] = kNegInf;
    }
}

void FitModelImpl::initialiseRandom(std::uint64_t seed)
{
    initialiseRandomWeights(*this, seed);
}

torch::Tensor FitModelImpl::embedGroupRow(const torch::Tensor& band) const
{
    const int g = grouping.groupSize(), p = config.patchSize, c = config.dataWidth;
    const auto rows = band.size(2) / p;
    if (band.size(3) != std::int64_t(grouping.gridCols()) * p || rows < 1 || rows > g)
        throw Error("FIT: image band of the wrong size");
    torch::Tensor tokens = patch_embed->forward(band).reshape({rows, grouping.gridCols(), c});
    // Pad the band to g rows and a multiple of g columns (bottom and right).
    tokens = torch::constant_pad_nd(tokens, {0, 0, 0, grouping.paddedCols() - grouping.gridCols(), 0, g - rows});
    const int gc = grouping.groupCols();
    tokens = tokens.reshape({g, gc, g, c}).permute({1, 0, 2, 3}).reshape({gc, g * g, c});
    return tokens + pos_embed;
}

torch::Tensor FitModelImpl::embed(const torch::Tensor& image) const
{
    const int g = grouping.groupSize(), p = config.patchSize;
    if (image.dim() != 4 || image.size(2) != std::int64_t(grouping.gridRows()) * p
        || image.size(3) != std::int64_t(grouping.gridCols()) * p)
        throw Error("FIT: image does not match the model's patch grid");
    std::vector<torch::Tensor> rows;
    for (int r = 0; r < grouping.gridRows(); r += g) {
        const int bandRows = std::min(g, grouping.gridRows() - r);
        rows.push_back(embedGroupRow(image.narrow(2, std::int64_t(r) * p, std::int64_t(bandRows) * p)));
    }
    return torch::cat(rows, 0);
}

int FitModelImpl::progressSteps(int chunkTokens) const
{
    const int t = grouping.groups();
    const int k = groupsPerChunk(chunkTokens, grouping.tokensPerGroup(), t);
    const int chunks = (t + k - 1) / k;
    int steps = 1; // final norm
    for (int i = 0; i < static_cast<int>(pattern.blocks.size()); ++i) {
        const FitBlockSpec& b = pattern.blocks[static_cast<std::size_t>(i)];
        steps += b.local * chunks;
        if (b.global > 0)
            steps += chunks + b.global + (pattern.hasWrite(i) ? chunks : 0);
    }
    return steps;
}

namespace {

// One global layer (a timm Block) over all latents z [1, T, d], with the attention computed
// query chunk by query chunk so no T x T matrix exists. `groupWeights` ([tSel, t], optional)
// accumulates the group-level attention of the recorded query groups.
torch::Tensor globalLayer(const BlockImpl& layer, const torch::Tensor& z, int m, bool autoregressive, int chunk,
                          const Progress& progress, torch::Tensor* groupWeights, int group)
{
    const std::int64_t total = z.size(1), t = total / m;
    torch::Tensor h = ops::layerNorm(z, layer.norm1);
    std::array<torch::Tensor, 3> qkv = layer.attn->qkvHeads(h);
    h = torch::Tensor();
    const torch::Tensor &q = qkv[0], &k = qkv[1], &v = qkv[2];
    torch::Tensor heads = torch::empty_like(q); // [1, H, T, hd]
    for (std::int64_t s = 0; s < total; s += chunk) {
        progress.check();
        const std::int64_t count = std::min<std::int64_t>(chunk, total - s);
        torch::Tensor queryGroup = torch::arange(s, s + count, torch::kLong).div(m, "floor");
        torch::Tensor bias;
        if (autoregressive) { // get_chunk_ar_mask: key group <= query group
            torch::Tensor keyGroup = torch::arange(total, torch::kLong).div(m, "floor");
            bias = torch::zeros({count, total}).masked_fill_(keyGroup.unsqueeze(0) > queryGroup.unsqueeze(1), kNegInf);
        }
        torch::Tensor probs;
        heads.narrow(2, s, count).copy_(scaledDotAttention(q.narrow(2, s, count), k, v, bias, groupWeights ? &probs : nullptr));
        if (groupWeights) {
            // [1, H, count, T] -> mean over heads -> per key group -> mean over the query group's latents.
            torch::Tensor perGroup = probs[0].mean(0).reshape({count, t, m}).sum(-1).div_(m);
            if (group < 0) {
                groupWeights->index_add_(0, queryGroup, perGroup);
            } else {
                torch::Tensor mine = queryGroup.eq(group);
                if (mine.any().item<bool>())
                    (*groupWeights)[0].add_(perGroup.index({mine}).sum(0));
            }
        }
    }
    qkv = {}; // free q, k, v before the MLP
    torch::Tensor out = z + layer.attn->project(heads);
    heads = torch::Tensor();
    return layer.mlpResidual(out);
}

// One forward pass's sizes and state, and its phases per FIT block: local layers, read, global
// layers, write. Groups go a chunk of k at a time.
struct ForwardPass {
    int t = 0, n = 0, m = 0, k = 0, qc = 0, latentWidth = 0;
    bool autoregressive = false;
    torch::Tensor paddingBias, localBias;
    Progress progress;
    FitRecorder* rec = nullptr;
    int selected = 0; // groups recorded: 1, or all t

    // local layers: each group's data tokens on their own, a chunk of whole groups at a time
    void local(const FitBlockImpl& blk, int b, torch::Tensor& x)
    {
        for (int j = 0; j < blk.spec.local; ++j) {
            Block layer = blk.localLayer(j);
            for (int s = 0; s < t; s += k) {
                progress.check();
                const int count = std::min(k, t - s);
                torch::Tensor xs = x.narrow(0, s, count);
                xs.copy_(layer->mlpResidual(layer->attentionResidual(xs, sliceGroups(localBias, t, s, count))));
                progress.step(chunkLabel(b, ("local " + std::to_string(j + 1)).c_str(), s, count, t));
            }
        }
    }

    // read: the latents of each group attend to that group's data tokens only
    void read(const FitBlockImpl& blk, int b, bool record, torch::Tensor& lat, const torch::Tensor& x)
    {
        if (record)
            rec->read[b] = torch::zeros({selected, blk.read->heads, m, n});
        for (int s = 0; s < t; s += k) {
            progress.check();
            const int count = std::min(k, t - s);
            torch::Tensor ls = lat.narrow(0, s, count), probs;
            ls.copy_(blk.read->forward(ls, x.narrow(0, s, count), sliceGroups(paddingBias, t, s, count),
                                       record ? &probs : nullptr));
            if (record && selected == t)
                rec->read[b].narrow(0, s, count).copy_(probs);
            else if (record && rec->group >= s && rec->group < s + count)
                rec->read[b][0].copy_(probs[rec->group - s]);
            progress.step(chunkLabel(b, "read", s, count, t));
        }
    }

    // global layers: all t*m latents together
    torch::Tensor global(const FitBlockImpl& blk, int b, bool record, const torch::Tensor& lat)
    {
        torch::Tensor all = lat.reshape({1, std::int64_t(t) * m, latentWidth});
        for (int j = 0; j < blk.spec.global; ++j) {
            torch::Tensor weights;
            if (record)
                weights = torch::zeros({selected, t});
            all = globalLayer(*blk.globalLayer(j), all, m, autoregressive, qc, progress, record ? &weights : nullptr,
                              rec ? rec->group : -1);
            if (record)
                rec->global[b].push_back(weights);
            progress.step("block " + std::to_string(b + 1) + " global " + std::to_string(j + 1));
        }
        return all.reshape({t, m, latentWidth});
    }

    // write: data tokens read their own group's latents (FIT-AR: the previous group's).
    void write(const FitBlockImpl& blk, int b, const torch::Tensor& lat, torch::Tensor& x)
    {
        for (int s = 0; s < t; s += k) {
            progress.check();
            const int count = std::min(k, t - s);
            torch::Tensor context;
            if (!autoregressive)
                context = lat.narrow(0, s, count);
            else if (s > 0)
                context = lat.narrow(0, s - 1, count);
            else
                context = torch::cat({torch::zeros({1, m, latentWidth}), lat.narrow(0, 0, count - 1)}, 0);
            torch::Tensor xs = x.narrow(0, s, count);
            xs.copy_(blk.write->forward(xs, context));
            progress.step(chunkLabel(b, "write", s, count, t));
        }
    }
};

} // namespace

FitOutput FitModelImpl::forward(torch::Tensor x, const FitForwardOptions& options) const
{
    torch::NoGradGuard noGrad;
    const int t = grouping.groups(), n = grouping.tokensPerGroup(), m = config.latentsPerGroup;
    if (x.dim() != 3 || x.size(0) != t || x.size(1) != n || x.size(2) != config.dataWidth)
        throw Error("FIT: tokens must be [" + std::to_string(t) + ", " + std::to_string(n) + ", "
                    + std::to_string(config.dataWidth) + "]");
    ForwardPass pass;
    pass.t = t;
    pass.n = n;
    pass.m = m;
    pass.k = groupsPerChunk(options.chunkTokens, n, t);
    pass.qc = queriesPerChunk(options.chunkTokens, n, std::int64_t(t) * m);
    pass.latentWidth = config.latentWidth;
    pass.autoregressive = config.autoregressive;
    pass.progress = Progress{options.control, 0, progressSteps(options.chunkTokens)};
    FitRecorder* rec = options.recorder;
    if (rec) {
        rec->read.assign(pattern.blocks.size(), torch::Tensor());
        rec->global.assign(pattern.blocks.size(), {});
    }
    pass.rec = rec;
    pass.selected = rec && rec->group >= 0 ? 1 : t;
    if (rec && rec->group >= t)
        throw Error("FIT: group " + std::to_string(rec->group) + " does not exist (" + std::to_string(t) + " groups)");

    // Local attention bias: padding keys, and for FIT-AR causal order inside the group (get_ar_mask).
    pass.paddingBias = m_paddingBias;
    pass.localBias = m_paddingBias;
    if (config.autoregressive) {
        torch::Tensor causal = torch::full({n, n}, kNegInf).triu_(1);
        pass.localBias = pass.localBias.defined() ? pass.localBias + causal : causal;
    }

    torch::Tensor lat = latents.reshape({t, m, config.latentWidth}).clone();
    for (int b = 0; b < static_cast<int>(pattern.blocks.size()); ++b) {
        FitBlock blk = block(b);
        const bool record = rec && rec->wants(b);
        pass.local(*blk, b, x);
        if (blk->spec.global == 0)
            continue;
        pass.read(*blk, b, record, lat, x);
        lat = pass.global(*blk, b, record, lat);
        if (blk->write)
            pass.write(*blk, b, lat, x);
    }
    if (options.finalNorm) {
        for (int s = 0; s < t; s += pass.k) {
            const int count = std::min(pass.k, t - s);
            torch::Tensor xs = x.narrow(0, s, count);
            xs.copy_(ops::layerNorm(xs, norm));
        }
        lat = ops::layerNorm(lat, latent_norm);
    }
    pass.progress.step("final norm");
    return {x, lat};
}

} // namespace ts
