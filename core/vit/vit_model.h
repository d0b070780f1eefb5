#pragma once
// A timm-style Vision Transformer in LibTorch. Module and parameter names follow timm
// (patch_embed.proj, cls_token, pos_embed, blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2},
// norm, head), so named_parameters() keys are checkpoint keys. Include only from .cpp files.
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

// timm: blocks.N — pre-norm: x + attn(norm1(x)), then x + mlp(norm2(x)).
struct BlockImpl : torch::nn::Module {
    BlockImpl(int width, int heads, int mlpHidden);
    torch::Tensor forward(const torch::Tensor& x) const;
    // The two residual halves, so ToMe can merge between them and FAM/FIT can mask attention.
    torch::Tensor attentionResidual(const torch::Tensor& x, const torch::Tensor& bias = {},
                                    torch::Tensor* keys = nullptr, torch::Tensor* probs = nullptr) const;
    torch::Tensor mlpResidual(const torch::Tensor& x) const;

    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    Attention attn{nullptr};
    Mlp mlp{nullptr};
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

    // Patch embedding + class token + position embedding: [B, 1 + N, D].
    torch::Tensor embed(const torch::Tensor& image) const;
    // Final norm, class token, head: logits [B, classes] (or the normed class token without a head).
    torch::Tensor classify(const torch::Tensor& tokens) const;
    // The plain forward pass.
    torch::Tensor forward(const torch::Tensor& image) const;

    // timm-style seeded initialisation (truncated normal, std 0.02; LayerNorm ones/zeros).
    // With a `control`, checks for cancel before each tensor (ts::Cancelled).
    void initialiseRandom(std::uint64_t seed, const RunControl* control = nullptr);

    VitConfig config;
    PatchEmbed patch_embed{nullptr};
    torch::Tensor cls_token, pos_embed;
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::LayerNorm norm{nullptr};
    torch::nn::Linear head{nullptr}; // null when config.numClasses == 0

    Block block(int i) const { return blocks->ptr<BlockImpl>(i); }
};
TORCH_MODULE(VisionTransformer);

// timm's LayerNorm for ViT: eps 1e-6.
torch::nn::LayerNorm makeLayerNorm(int width);

// Resizes a position embedding [1, prefix + g0*g0, D] to a g1 x g1 grid by bicubic
// interpolation of the patch part (timm resample_abs_pos_embed); prefix tokens are kept.
torch::Tensor resamplePositionEmbedding(const torch::Tensor& posEmbed, int newGrid, int prefixTokens = 1);

// Fills `t` in place with a truncated normal (std, clipped at +-2 std) from `generator`.
void truncatedNormal(torch::Tensor& t, double std, at::Generator& generator);

} // namespace ts
