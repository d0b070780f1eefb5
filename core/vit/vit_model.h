#pragma once
// A timm-style Vision Transformer in LibTorch. Module and parameter names follow timm
// (patch_embed.proj, cls_token, pos_embed, blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2},
// norm, head; and for the variants in VitConfig: dist_token, reg_token, blocks.N.ls1.gamma,
// ls2.gamma, norm_pre, fc_norm, head_dist), so named_parameters() keys are timm checkpoint keys.
// Include only from .cpp files.
#include "core/nn/packed_linear.h"
#include "core/util/run_control.h"
#include "core/vit/vit_config.h"

#include <torch/torch.h>

#include <array>
#include <cstdint>

namespace ts {

// timm: blocks.N.attn
struct AttentionImpl : torch::nn::Module {
    AttentionImpl(int width, int heads);
    // q, k, v as [B, H, N, head_dim].
    std::array<torch::Tensor, 3> qkvHeads(const torch::Tensor& x) const;
    // [B, H, N, head_dim] -> output projection -> [B, N, C].
    torch::Tensor project(const torch::Tensor& heads) const;
    // Self-attention with an optional additive logit bias; when `keys` is given it receives the
    // keys [B, H, N, head_dim] (ToMe's metric), when `probs` is given the weights [B, H, N, N].
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& bias = {}, torch::Tensor* keys = nullptr,
                          torch::Tensor* probs = nullptr) const;

    int heads;
    torch::nn::Linear qkv{nullptr}, proj{nullptr};
    PackedLinear qkvPacked, projPacked; // packed copies for inputs of few rows (core/nn/packed_linear.h)
};
TORCH_MODULE(Attention);

// timm: blocks.N.mlp
struct MlpImpl : torch::nn::Module {
    MlpImpl(int width, int hidden);
    torch::Tensor forward(const torch::Tensor& x) const;
    torch::nn::Linear fc1{nullptr}, fc2{nullptr};
    PackedLinear fc1Packed, fc2Packed;
};
TORCH_MODULE(Mlp);

// timm: blocks.N.ls1 / ls2 (LayerScale, Touvron et al. 2021, "Going deeper with image
// transformers"): a learned per-channel factor on each residual branch.
struct LayerScaleImpl : torch::nn::Module {
    explicit LayerScaleImpl(int width);
    torch::Tensor forward(const torch::Tensor& x) const { return x * gamma; }
    torch::Tensor gamma;
};
TORCH_MODULE(LayerScale);

// timm: blocks.N — pre-norm: x + ls1(attn(norm1(x))), then x + ls2(mlp(norm2(x))) (no ls without
// LayerScale).
struct BlockImpl : torch::nn::Module {
    BlockImpl(int width, int heads, int mlpHidden, bool layerScale = false, double normEps = 1e-6);
    torch::Tensor forward(const torch::Tensor& x) const;
    // The two residual halves, so ToMe can merge between them and FAM/FIT can mask attention.
    torch::Tensor attentionResidual(const torch::Tensor& x, const torch::Tensor& bias = {},
                                    torch::Tensor* keys = nullptr, torch::Tensor* probs = nullptr) const;
    torch::Tensor mlpResidual(const torch::Tensor& x) const;

    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    Attention attn{nullptr};
    Mlp mlp{nullptr};
    LayerScale ls1{nullptr}, ls2{nullptr}; // null without LayerScale
};
TORCH_MODULE(Block);

// timm: patch_embed (a stride-P convolution, computed as a matmul over flattened patches).
struct PatchEmbedImpl : torch::nn::Module {
    PatchEmbedImpl(int inChannels, int width, int patch);
    // image [B, C, H, W] with H, W multiples of the patch -> [B, (H/P)*(W/P), D] in raster order.
    torch::Tensor forward(const torch::Tensor& image) const;
    int patch;
    torch::nn::Conv2d proj{nullptr};
    PackedLinear projPacked;
};
TORCH_MODULE(PatchEmbed);

struct VisionTransformerImpl : torch::nn::Module {
    explicit VisionTransformerImpl(const VitConfig& config);

    // Patch embedding, prefix tokens and position embedding (timm _pos_embed), then norm_pre:
    // [B, prefix + N, D].
    torch::Tensor embed(const torch::Tensor& image) const;
    // The pooled feature timm's forward_head(pre_logits=True) returns: final norm, then the class
    // token (distilled: the mean of the class and distillation tokens) or the mean of the patch
    // tokens, then fc_norm. `size` [B, N, 1] (ToMe's token sizes) weights the mean, so a merged
    // token counts for the patches it holds (the authors' tome/patch/mae.py).
    torch::Tensor preLogits(const torch::Tensor& tokens, const torch::Tensor& size = {}) const;
    // Logits [B, classes] (distilled: the mean of head and head_dist, as timm in eval), or
    // preLogits without a head.
    torch::Tensor classify(const torch::Tensor& tokens, const torch::Tensor& size = {}) const;
    // The plain forward pass.
    torch::Tensor forward(const torch::Tensor& image) const;

    // timm-style seeded initialisation (truncated normal, std 0.02; LayerNorm ones/zeros).
    // With a `control`, checks for cancel before each tensor (ts::Cancelled).
    void initialiseRandom(std::uint64_t seed, const RunControl* control = nullptr);

    VitConfig config;
    PatchEmbed patch_embed{nullptr};
    torch::Tensor cls_token, dist_token, reg_token, pos_embed; // undefined when not in the config
    torch::nn::LayerNorm norm_pre{nullptr};
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::LayerNorm norm{nullptr}, fc_norm{nullptr};
    torch::nn::Linear head{nullptr}, head_dist{nullptr}; // null when config.numClasses == 0

    // The patch tokens' rows of pos_embed [1, N, D].
    torch::Tensor patchPositions() const;

    Block block(int i) const { return blocks->ptr<BlockImpl>(i); }
};
TORCH_MODULE(VisionTransformer);

// timm's LayerNorm for ViT: eps 1e-6 (transformers' ViT: 1e-12).
torch::nn::LayerNorm makeLayerNorm(int width, double eps = 1e-6);

// Resizes a position embedding [1, prefix + g0*g0, D] to a g1 x g1 grid by bicubic
// interpolation of the patch part (timm resample_abs_pos_embed); prefix tokens are kept.
torch::Tensor resamplePositionEmbedding(const torch::Tensor& posEmbed, int newGrid, int prefixTokens = 1);
// The same from a rows x cols grid (a non-square stored grid) to newRows x newCols, antialiased as
// timm's resample_abs_pos_embed (antialias=True: PyTorch's antialiased bicubic in both directions).
torch::Tensor resamplePositionGrid(const torch::Tensor& posEmbed, int rows, int cols, int newRows, int newCols,
                                   int prefixTokens);

} // namespace ts
