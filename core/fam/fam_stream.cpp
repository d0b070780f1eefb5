#include "core/fam/fam_stream.h"

#include "core/nn/attention.h"
#include "core/nn/ops.h"
#include "core/nn/packed_linear.h"
#include "core/nn/random_init.h"
#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <limits>

namespace ts {

FamStreamer::FamStreamer(std::vector<Block> blocks, const FamSettings& settings, const torch::Tensor& prompt)
    : m_blocks(std::move(blocks)), m_settings(settings), m_layers(m_blocks.size())
{
    if (settings.block < 1 || settings.memory < 0 || (settings.withFam && settings.fam < 1))
        throw Error("FAM: block must be >= 1, memory >= 0 and FAM length >= 1");
    if (!settings.withFam)
        return;
    if (!prompt.defined() || prompt.dim() != 3 || prompt.size(1) != settings.fam)
        throw Error("FAM: the prompt must be [1, " + std::to_string(settings.fam) + ", width]");
    // Each layer's first FAM is the prompt's activation there; the prompt sees only itself.
    torch::Tensor f = prompt;
    for (std::size_t l = 0; l < m_blocks.size(); ++l) {
        m_layers[l].fam = f;
        f = m_blocks[l]->forward(f);
    }
}

const torch::Tensor& FamStreamer::bias(std::int64_t n, std::int64_t memoryKeys)
{
    if (n == m_biasN && memoryKeys == m_biasMemory)
        return m_bias;
    const std::int64_t f = m_settings.withFam ? m_settings.fam : 0;
    const float inf = std::numeric_limits<float>::infinity();
    // Rows [block tokens | FAM queries], columns [memory | previous FAM | block tokens].
    torch::Tensor b = torch::zeros({n + f, memoryKeys + f + n});
    if (f > 0 && memoryKeys > 0)
        b.slice(0, n, n + f).slice(1, 0, memoryKeys).fill_(-inf); // FAM queries skip memory segments
    if (m_settings.causal)
        b.slice(0, 0, n).slice(1, memoryKeys + f).copy_(torch::full({n, n}, -inf).triu(/*diagonal=*/1));
    m_bias = b;
    m_biasN = n;
    m_biasMemory = memoryKeys;
    return m_bias;
}

std::vector<torch::Tensor> FamStreamer::layerStep(int layer, const std::vector<torch::Tensor>& xs, FamProbe* probe)
{
    const BlockImpl& blk = *m_blocks[static_cast<std::size_t>(layer)];
    LayerState& st = m_layers[static_cast<std::size_t>(layer)];
    const bool withFam = m_settings.withFam;
    const std::int64_t f = withFam ? m_settings.fam : 0;

    // The blocks' own rows: norm1 + qkv in one product.
    const torch::Tensor x = xs.size() == 1 ? xs.front() : torch::cat(xs, /*dim=*/1); // [1, N, D]
    const auto [q, k, v] = blk.attn->qkvHeads(ops::layerNorm(x, blk.norm1));      // [1, H, N, hd]

    // Block by block: the attention of all the block's queries, and the FAM rows through the
    // rest of the layer (they are the next block's FAM).
    std::vector<torch::Tensor> heads;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const std::int64_t n = xs[i].size(1);
        torch::Tensor qb = q.narrow(2, offset, n);
        const torch::Tensor kx = k.narrow(2, offset, n).contiguous(), vx = v.narrow(2, offset, n).contiguous();
        offset += n;
        std::vector<torch::Tensor> keyParts(st.keys.begin(), st.keys.end());
        std::vector<torch::Tensor> valueParts(st.values.begin(), st.values.end());
        std::int64_t memoryKeys = 0;
        for (const torch::Tensor& m : st.keys)
            memoryKeys += m.size(2);
        if (withFam) {
            const auto [qf, kf, vf] = blk.attn->qkvHeads(ops::layerNorm(st.fam, blk.norm1)); // [1, H, f, hd]
            qb = torch::cat({qb, qf}, 2); // rows [block tokens | FAM queries]
            keyParts.push_back(kf);
            valueParts.push_back(vf);
        }
        keyParts.push_back(kx);
        valueParts.push_back(vx);
        torch::Tensor probs;
        const std::int64_t blockIndex = m_blocksDone + static_cast<std::int64_t>(i);
        const bool capture = probe && probe->block == blockIndex && probe->layer == layer;
        const torch::Tensor out = scaledDotAttention(qb, torch::cat(keyParts, 2), torch::cat(valueParts, 2),
                                                     bias(n, memoryKeys), capture ? &probs : nullptr);
        if (capture) {
            probe->probs = probs[0].clone();
            probe->memoryKeys = memoryKeys;
            probe->blockTokens = n;
            probe->captured = true;
        }
        if (withFam) // the same FF for block and FAM tokens
            st.fam = blk.mlpResidual(st.fam + blk.attn->project(out.narrow(2, n, f))).contiguous();
        heads.push_back(withFam ? out.narrow(2, 0, n) : out);
        if (m_settings.memory > 0) {
            st.keys.push_back(kx);
            st.values.push_back(vx);
            while (static_cast<int>(st.keys.size()) > m_settings.memory) {
                st.keys.pop_front();
                st.values.pop_front();
            }
        }
    }

    // The blocks' own rows: residual, attn.proj and the MLP in one product each.
    const torch::Tensor attended = x + blk.attn->project(heads.size() == 1 ? heads.front() : torch::cat(heads, 2));
    const torch::Tensor out = blk.mlpResidual(attended);
    if (xs.size() == 1)
        return {out};
    std::vector<torch::Tensor> outs;
    offset = 0;
    for (const torch::Tensor& xi : xs) {
        outs.push_back(out.narrow(1, offset, xi.size(1)));
        offset += xi.size(1);
    }
    return outs;
}

torch::Tensor FamStreamer::step(const torch::Tensor& tokens, FamProbe* probe) { return stepBlocks({tokens}, probe).front(); }

std::vector<torch::Tensor> FamStreamer::stepBlocks(const std::vector<torch::Tensor>& blocks, FamProbe* probe)
{
    if (blocks.empty())
        return {};
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const torch::Tensor& t = blocks[i];
        if (t.dim() != 3 || t.size(1) < 1 || t.size(1) > m_settings.block)
            throw Error("FAM: a block must hold 1.." + std::to_string(m_settings.block) + " tokens");
        if (i + 1 < blocks.size() && t.size(1) != m_settings.block)
            throw Error("FAM: only the last block may hold fewer than " + std::to_string(m_settings.block) + " tokens");
    }
    std::vector<torch::Tensor> xs = blocks;
    for (int l = 0; l < depth(); ++l)
        xs = layerStep(l, xs, probe);
    m_blocksDone += static_cast<std::int64_t>(blocks.size());
    return xs;
}

int FamStreamer::blocksPerStep(int block)
{
    return static_cast<int>(std::max<std::int64_t>(1, PackedLinear::kMaxRows / std::max(1, block)));
}

torch::Tensor famPromptTokens(int fam, int width, std::uint64_t seed)
{
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    torch::Tensor t = torch::empty({1, fam, width});
    truncatedNormal(t, 0.02, gen);
    return t;
}

torch::Tensor syntheticBlock(std::int64_t index, int n, int width, std::uint64_t seed)
{
    // One generator per block, seeded from (seed, index) with a splitmix step so neighbouring
    // blocks are unrelated.
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(index + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(z);
    return torch::randn({1, n, width}, gen);
}

} // namespace ts
