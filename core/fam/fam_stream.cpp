#include "core/fam/fam_stream.h"

#include "core/nn/attention.h"
#include "core/nn/ops.h"
#include "core/nn/random_init.h"
#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>

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

torch::Tensor FamStreamer::layerStep(int layer, const torch::Tensor& x, FamProbe* probe)
{
    const BlockImpl& blk = *m_blocks[static_cast<std::size_t>(layer)];
    LayerState& st = m_layers[static_cast<std::size_t>(layer)];
    const std::int64_t n = x.size(1);
    const bool withFam = m_settings.withFam;
    const std::int64_t f = withFam ? m_settings.fam : 0;

    // attention {
    torch::Tensor input = withFam ? torch::cat({x, st.fam}, /*dim=*/1) : x; // [1, n+f, D]
    auto [q, k, v] = blk.attn->qkvHeads(ops::layerNorm(input, blk.norm1));  // [1, H, n+f, hd]
    torch::Tensor kx = k.narrow(2, 0, n).contiguous(), vx = v.narrow(2, 0, n).contiguous();
    std::vector<torch::Tensor> keyParts(st.keys.begin(), st.keys.end());
    std::vector<torch::Tensor> valueParts(st.values.begin(), st.values.end());
    std::int64_t memoryKeys = 0;
    for (const torch::Tensor& m : st.keys)
        memoryKeys += m.size(2);
    if (withFam) {
        keyParts.push_back(k.narrow(2, n, f));
        valueParts.push_back(v.narrow(2, n, f));
    }
    keyParts.push_back(kx);
    valueParts.push_back(vx);
    torch::Tensor probs;
    const bool capture = probe && probe->block == m_blocksDone && probe->layer == layer;
    torch::Tensor heads = scaledDotAttention(q, torch::cat(keyParts, 2), torch::cat(valueParts, 2), bias(n, memoryKeys),
                                             capture ? &probs : nullptr);
    torch::Tensor attended = input + blk.attn->project(heads);
    // }
    torch::Tensor out = blk.mlpResidual(attended); // the same FF for block and FAM tokens

    if (capture) {
        probe->probs = probs[0].clone();
        probe->memoryKeys = memoryKeys;
        probe->blockTokens = n;
        probe->captured = true;
    }
    if (withFam)
        st.fam = out.narrow(1, n, f).contiguous();
    if (m_settings.memory > 0) {
        st.keys.push_back(kx);
        st.values.push_back(vx);
        while (static_cast<int>(st.keys.size()) > m_settings.memory) {
            st.keys.pop_front();
            st.values.pop_front();
        }
    }
    return out.narrow(1, 0, n);
}

torch::Tensor FamStreamer::step(const torch::Tensor& tokens, FamProbe* probe)
{
    if (tokens.dim() != 3 || tokens.size(1) < 1 || tokens.size(1) > m_settings.block)
        throw Error("FAM: a block must hold 1.." + std::to_string(m_settings.block) + " tokens");
    torch::Tensor x = tokens;
    for (int l = 0; l < depth(); ++l)
        x = layerStep(l, x, probe);
    ++m_blocksDone;
    return x;
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
