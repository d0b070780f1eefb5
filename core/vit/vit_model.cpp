#include "core/vit/vit_model.h"

#include "core/nn/attention.h"
#include "core/nn/ops.h"
#include "core/nn/random_init.h"
#include "core/util/error.h"
#include "core/util/printable.h"

#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

namespace ts {

torch::nn::LayerNorm makeLayerNorm(int width, double eps)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}).eps(eps));
}

// --- Attention ---------------------------------------------------------------------------

AttentionImpl::AttentionImpl(int width, int heads_) : heads(heads_)
{
    qkv = register_module("qkv", torch::nn::Linear(width, 3 * width));
    proj = register_module("proj", torch::nn::Linear(width, width));
}

std::array<torch::Tensor, 3> AttentionImpl::qkvHeads(const torch::Tensor& x) const
{
    const auto b = x.size(0), n = x.size(1), c = x.size(2);
    // [B, N, 3C] -> [3, B, H, N, C/H], the layout timm uses.
    torch::Tensor t = ops::linear(x, qkv, "qkv", &qkvPacked).reshape({b, n, 3, heads, c / heads}).permute({2, 0, 3, 1, 4});
    return {t[0], t[1], t[2]};
}

torch::Tensor AttentionImpl::project(const torch::Tensor& headsOut) const
{
    const auto b = headsOut.size(0), n = headsOut.size(2);
    torch::Tensor merged = headsOut.transpose(1, 2).reshape({b, n, -1});
    return ops::linear(merged, proj, "attn_proj", &projPacked);
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& bias, torch::Tensor* keys,
                                     torch::Tensor* probs) const
{
    auto [q, k, v] = qkvHeads(x);
    if (keys)
        *keys = k;
    return project(scaledDotAttention(q, k, v, bias, probs));
}

// --- MLP and block ---------------------------------------------------------------------------

MlpImpl::MlpImpl(int width, int hidden)
{
    fc1 = register_module("fc1", torch::nn::Linear(width, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, width));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) const
{
    return ops::linear(ops::gelu(ops::linear(x, fc1, "mlp", &fc1Packed)), fc2, "mlp", &fc2Packed);
}

LayerScaleImpl::LayerScaleImpl(int width) { gamma = register_parameter("gamma", torch::ones({width})); }

BlockImpl::BlockImpl(int width, int heads, int mlpHidden, bool layerScale, double normEps)
{
    norm1 = register_module("norm1", makeLayerNorm(width, normEps));
    attn = register_module("attn", Attention(width, heads));
    if (layerScale)
        ls1 = register_module("ls1", LayerScale(width));
    norm2 = register_module("norm2", makeLayerNorm(width, normEps));
    mlp = register_module("mlp", Mlp(width, mlpHidden));
    if (layerScale)
        ls2 = register_module("ls2", LayerScale(width));
}

torch::Tensor BlockImpl::attentionResidual(const torch::Tensor& x, const torch::Tensor& bias, torch::Tensor* keys,
                                           torch::Tensor* probs) const
{
    torch::Tensor y = attn->forward(ops::layerNorm(x, norm1), bias, keys, probs);
    return x + (ls1 ? ls1->forward(y) : y);
}

torch::Tensor BlockImpl::mlpResidual(const torch::Tensor& x) const
{
    torch::Tensor y = mlp->forward(ops::layerNorm(x, norm2));
    return x + (ls2 ? ls2->forward(y) : y);
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x) const { return mlpResidual(attentionResidual(x)); }

// --- Patch embedding ----------------------------------------------------------------------------

PatchEmbedImpl::PatchEmbedImpl(int inChannels, int width, int patch_) : patch(patch_)
{
    proj = register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(inChannels, width, patch).stride(patch)));
}

torch::Tensor PatchEmbedImpl::forward(const torch::Tensor& image) const
{
    const auto b = image.size(0), c = image.size(1), h = image.size(2), w = image.size(3);
    const auto gh = h / patch, gw = w / patch;
    // A stride-P, kernel-P convolution is a matmul over flattened (C, P, P) patches.
    torch::Tensor patches = image.reshape({b, c, gh, patch, gw, patch})
                                .permute({0, 2, 4, 1, 3, 5})
                                .reshape({b, gh * gw, c * patch * patch});
    torch::Tensor weight = proj->weight.reshape({proj->weight.size(0), -1});
    return ops::linear(patches, weight, proj->bias, "patch_embed", &projPacked);
}

// --- Vision transformer -------------------------------------------------------------------------

VisionTransformerImpl::VisionTransformerImpl(const VitConfig& config_) : config(config_)
{
    config.validate();
    const int d = config.width;
    const double eps = config.normEps;
    patch_embed = register_module("patch_embed", PatchEmbed(config.inChannels, d, config.patchSize));
    if (config.classToken)
        cls_token = register_parameter("cls_token", torch::zeros({1, 1, d}));
    if (config.distillationToken)
        dist_token = register_parameter("dist_token", torch::zeros({1, 1, d}));
    if (config.registers > 0)
        reg_token = register_parameter("reg_token", torch::zeros({1, config.registers, d}));
    pos_embed = register_parameter("pos_embed", torch::zeros({1, config.positions(), d}));
    if (config.normPre)
        norm_pre = register_module("norm_pre", makeLayerNorm(d, eps));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int i = 0; i < config.depth; ++i)
        blocks->push_back(Block(d, config.heads, config.mlpHidden, config.layerScale, eps));
    if (config.finalNorm)
        norm = register_module("norm", makeLayerNorm(d, eps));
    if (config.fcNorm)
        fc_norm = register_module("fc_norm", makeLayerNorm(config.pooledWidth(), eps));
    if (config.numClasses > 0) {
        head = register_module("head", torch::nn::Linear(config.pooledWidth(), config.numClasses));
        if (config.distillationHead)
            head_dist = register_module("head_dist", torch::nn::Linear(d, config.numClasses));
    }
}

torch::Tensor VisionTransformerImpl::patchPositions() const
{
    return pos_embed.slice(/*dim=*/1, config.positionPrefix);
}

torch::Tensor VisionTransformerImpl::embed(const torch::Tensor& image) const
{
    if (image.dim() != 4 || image.size(2) != config.imageSize || image.size(3) != config.imageSize)
        throw Error("model: expects images of " + std::to_string(config.imageSize) + " x "
                    + std::to_string(config.imageSize) + " px");
    torch::Tensor x = patch_embed->forward(image);
    const auto b = x.size(0);
    std::vector<torch::Tensor> prefix;
    if (config.classToken)
        prefix.push_back(cls_token.expand({b, 1, config.width}));
    if (config.distillationToken)
        prefix.push_back(dist_token.expand({b, 1, config.width}));
    if (config.registers > 0)
        prefix.push_back(reg_token.expand({b, config.registers, config.width}));
    if (config.positionPrefix == config.prefixTokens()) { // timm's default: positions for every token
        prefix.push_back(x);
        x = torch::cat(prefix, /*dim=*/1) + pos_embed;
    } else { // positions for the patches and the first positionPrefix prefix tokens only
        torch::Tensor positioned = torch::cat(prefix, /*dim=*/1);
        const std::int64_t p = config.positionPrefix, rest = config.prefixTokens() - p;
        x = torch::cat({positioned.narrow(1, 0, p) + pos_embed.narrow(1, 0, p), positioned.narrow(1, p, rest),
                        x + patchPositions()},
                       /*dim=*/1);
    }
    return norm_pre ? ops::layerNorm(x, norm_pre) : x;
}

torch::Tensor VisionTransformerImpl::preLogits(const torch::Tensor& tokens, const torch::Tensor& size) const
{
    const torch::Tensor x = norm ? ops::layerNorm(tokens, norm) : tokens;
    const int prefix = config.prefixTokens();
    auto patchMean = [&] {
        torch::Tensor patches = x.slice(/*dim=*/1, prefix);
        if (!size.defined())
            return patches.mean(/*dim=*/1);
        torch::Tensor s = size.slice(/*dim=*/1, prefix);
        return (patches * s).sum(/*dim=*/1) / s.sum(/*dim=*/1);
    };
    torch::Tensor pooled;
    if (config.pool == VitPool::Average)
        pooled = patchMean();
    else if (config.pool == VitPool::TokenAndAverage)
        pooled = torch::cat({x.select(/*dim=*/1, 0), patchMean()}, /*dim=*/1);
    else if (config.distillationHead) // timm forward_head(pre_logits=True) of a distilled DeiT
        pooled = (x.select(1, 0) + x.select(1, 1)) / 2;
    else
        pooled = x.select(/*dim=*/1, /*index=*/0);
    return fc_norm ? ops::layerNorm(pooled, fc_norm) : pooled;
}

torch::Tensor VisionTransformerImpl::classify(const torch::Tensor& tokens, const torch::Tensor& size) const
{
    if (!head)
        return preLogits(tokens, size);
    if (head_dist) { // timm VisionTransformerDistilled in eval: the mean of both heads
        const torch::Tensor x = ops::layerNorm(tokens, norm);
        return (ops::linear(x.select(1, 0), head, "head") + ops::linear(x.select(1, 1), head_dist, "head")) / 2;
    }
    return ops::linear(preLogits(tokens, size), head, "head");
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& image) const
{
    torch::Tensor x = embed(image);
    for (int i = 0; i < config.depth; ++i)
        x = block(i)->forward(x);
    return classify(x);
}

void VisionTransformerImpl::initialiseRandom(std::uint64_t seed, const RunControl* control)
{
    initialiseRandomWeights(*this, seed, control);
}

torch::Tensor resamplePositionEmbedding(const torch::Tensor& posEmbed, int newGrid, int prefixTokens)
{
    const auto total = posEmbed.size(1);
    const auto oldGrid = static_cast<int>(std::lround(std::sqrt(static_cast<double>(total - prefixTokens))));
    if (oldGrid * oldGrid != total - prefixTokens)
        throw Error("pos_embed: " + std::to_string(total - prefixTokens) + " patch positions do not form a square grid");
    return resamplePositionGrid(posEmbed, oldGrid, oldGrid, newGrid, newGrid, prefixTokens);
}

torch::Tensor resamplePositionGrid(const torch::Tensor& posEmbed, int rows, int cols, int newRows, int newCols,
                                   int prefixTokens)
{
    const auto total = posEmbed.size(1), d = posEmbed.size(2);
    if (static_cast<std::int64_t>(rows) * cols != total - prefixTokens)
        throw Error("pos_embed: " + std::to_string(total - prefixTokens) + " patch positions are not a " + sizeText(cols, rows) + " grid");
    if (rows == newRows && cols == newCols)
        return posEmbed;
    torch::Tensor prefix = posEmbed.narrow(1, 0, prefixTokens);
    torch::Tensor grid = posEmbed.narrow(1, prefixTokens, total - prefixTokens).reshape({1, rows, cols, d}).permute({0, 3, 1, 2});
    namespace F = torch::nn::functional;
    grid = F::interpolate(grid, F::InterpolateFuncOptions()
                                    .size(std::vector<int64_t>{newRows, newCols})
                                    .mode(torch::kBicubic)
                                    .align_corners(false)
                                    .antialias(true));
    grid = grid.permute({0, 2, 3, 1}).reshape({1, static_cast<std::int64_t>(newRows) * newCols, d});
    return torch::cat({prefix, grid}, /*dim=*/1);
}

} // namespace ts
