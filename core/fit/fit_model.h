#pragma once
// FIT in LibTorch (Chen & Li 2023, Sec. 2 / Algorithm 1; pix2seq architectures/transformers.py,
// class FIT). Local and global layers are ts::Block (timm names), so local layers load from a ViT
// checkpoint's blocks. Include only from core .cpp files and core tests (torch).
//
// Parameter names (= .safetensors keys, see core/fit/fit_checkpoint.h):
//   patch_embed.proj.{weight,bias}     timm patch embedding (the official code uses Dense + LN;
//                                      we keep timm's so ViT weights apply; no stem LN)
//   pos_embed        [1, n, c]         position inside a group, shared by all groups (pix2seq)
//   latents          [t*m, d]          one learned initial latent per (group, slot)
//   blocks.I.local.J.*                 timm Block: norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2
//   blocks.I.read.{norm_q,norm_kv,q,kv,proj}.*    latents <- own group's data (l2x_cross_attn)
//   blocks.I.global.J.*                timm Block over all t*m latents
//   blocks.I.write.{norm_q,norm_kv,q,kv,proj}.*   data <- own group's latents (x2l_cross_attn);
//                                      absent after the last block, as in the official code
//   norm.*, latent_norm.*              final LayerNorms (x_output_ln, l_output_ln)
// FLOP parts (core/nn/flop_counter.h): local and global layers count as "qkv", "attn_qk",
// "attn_av", "attn_proj", "mlp" (open a FlopCountScope per phase to split them); the read and
// write cross-attentions as "cross_q", "cross_kv", "cross_qk", "cross_av", "cross_proj"; the
// patch embedding as "patch_embed".
#include "core/fit/fit_config.h"
#include "core/fit/grouping.h"
#include "core/util/run_control.h"
#include "core/vit/vit_model.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ts {

// pix2seq TransformerDecoderLayer(self_attention=False, cross_attention=True, use_mlp=False,
// use_enc_ln=True): query + proj(MHA(LN_q(query), LN_kv(context))). No MLP after it.
struct CrossAttentionImpl : torch::nn::Module {
    CrossAttentionImpl(int queryWidth, int contextWidth, int heads, int innerWidth);
    // query [B, Nq, Cq], context [B, Nk, Ck], bias broadcastable to [B, H, Nq, Nk] (-inf masks);
    // probs, when given, receives the weights [B, H, Nq, Nk]. Returns [B, Nq, Cq].
    torch::Tensor forward(const torch::Tensor& query, const torch::Tensor& context, const torch::Tensor& bias = {},
                          torch::Tensor* probs = nullptr) const;

    int heads;
    torch::nn::LayerNorm norm_q{nullptr}, norm_kv{nullptr};
    torch::nn::Linear q{nullptr}, kv{nullptr}, proj{nullptr};
    PackedLinear qPacked, kvPacked, projPacked; // core/nn/packed_linear.h
};
TORCH_MODULE(CrossAttention);

struct FitBlockImpl : torch::nn::Module {
    FitBlockImpl(const FitConfig& config, const FitBlockSpec& spec, bool withWrite);
    Block localLayer(int j) const { return local->ptr<BlockImpl>(j); }
    Block globalLayer(int j) const { return global->ptr<BlockImpl>(j); }

    FitBlockSpec spec;
    torch::nn::ModuleList local{nullptr}, global{nullptr};
    CrossAttention read{nullptr}, write{nullptr}; // null when absent
};
TORCH_MODULE(FitBlock);

// What to record during a forward pass (nothing, and no extra memory, unless `enabled`).
struct FitRecorder {
    bool enabled = false;
    std::vector<int> blocks; // block indices to record; empty: all
    int group = -1;          // record only this group's rows; -1: every group
    bool wants(int block) const;

    // Filled per block (index = block; undefined where not recorded or the block has no global layers):
    std::vector<torch::Tensor> read;                // [tSel, H, m, n] latent-read weights
    std::vector<std::vector<torch::Tensor>> global; // per global layer: [tSel, t] group-level weights
    // Group-level global weights: for a query group a and key group b, the mean over heads and over
    // a's m latents of the total weight on b's m latents (each row sums to 1).
};

struct FitForwardOptions {
    int chunkTokens = 8192;             // data tokens processed at once (whole groups)
    bool finalNorm = true;              // apply norm / latent_norm at the end
    const RunControl* control = nullptr;
    FitRecorder* recorder = nullptr;
};

struct FitOutput {
    torch::Tensor x;       // [t, n, c] data tokens (padding slots hold garbage)
    torch::Tensor latents; // [t, m, d]
};

struct FitModelImpl : torch::nn::Module {
    FitModelImpl(const FitConfig& config, const Grouping& grouping);

    // Seeded initialisation as timm does for ViT: truncated normal std 0.02 for weights, the
    // latent table and pos_embed (pix2seq: latents trunc-normal 0.02), zeros for biases, ones/zeros
    // for LayerNorms.
    void initialiseRandom(std::uint64_t seed);

    // image band [1, 3, rows * p, gridCols * p] holding one row of groups (rows <= g patch rows)
    // -> that row's groups' tokens [groupCols, n, c] with pos_embed added; padding slots are 0.
    torch::Tensor embedGroupRow(const torch::Tensor& band) const;
    // Whole image [1, 3, gridRows * p, gridCols * p] -> [t, n, c] (tests; the API embeds band by band).
    torch::Tensor embed(const torch::Tensor& image) const;

    // Runs every FIT block on grouped tokens [t, n, c] (modified in place) with the initial latents.
    FitOutput forward(torch::Tensor x, const FitForwardOptions& options = {}) const;
    // Steps the progress callback counts for a run with this chunk size.
    int progressSteps(int chunkTokens) const;

    // -inf on padding slots: [t, 1, 1, n], undefined when the grid divides by g.
    const torch::Tensor& paddingBias() const { return m_paddingBias; }

    FitBlock block(int i) const { return blocks->ptr<FitBlockImpl>(i); }

    FitConfig config;
    LayerPattern pattern;
    Grouping grouping;
    PatchEmbed patch_embed{nullptr};
    torch::Tensor pos_embed, latents;
    torch::nn::ModuleList blocks{nullptr};
    torch::nn::LayerNorm norm{nullptr}, latent_norm{nullptr};

private:
    torch::Tensor m_paddingBias;
};
TORCH_MODULE(FitModel);

} // namespace ts
