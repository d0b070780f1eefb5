#pragma once
// Architecture of a timm-style Vision Transformer, free of torch so any layer can include it.
// Beyond the plain ViT it describes the variants timm's VisionTransformer and
// VisionTransformerDistilled build (timm/models/vision_transformer.py, deit.py): a distillation
// token and head (DeiT), register tokens (Darcet et al. 2024, DINOv2 reg4), LayerScale (DeiT-III,
// DINOv2), position embeddings without the prefix tokens (`no_embed_class`), a norm before the
// blocks (`norm_pre`, CLIP) and global-average pooling with `fc_norm` (MAE).
#include <string>
#include <vector>

namespace ts {

// How the final tokens become one vector: timm's global_pool 'token' (the class token) or 'avg'
// (the mean of the patch tokens), or transformers' Dinov2ForImageClassification (the class token
// and the patch mean side by side, twice the width).
enum class VitPool { Token, Average, TokenAndAverage };

struct VitConfig {
    std::string name = "vit-s16"; // preset name, or "custom" / "checkpoint"
    int imageSize = 224;          // square input, a multiple of patchSize
    int patchSize = 16;
    int inChannels = 3;
    int width = 384;              // embedding dimension D
    int depth = 12;               // transformer blocks
    int heads = 6;
    int mlpHidden = 1536;         // fc1 output width (timm: mlp_ratio * D)
    int numClasses = 1000;        // 0: no head (features only)

    // Prefix tokens, in timm's order: class token, distillation token, registers, then patches.
    bool classToken = true;       // cls_token
    bool distillationToken = false; // dist_token (DeiT distilled; transformers' DeiT always has one)
    bool distillationHead = false;  // head_dist: prediction = (head(cls) + head_dist(dist)) / 2
    int registers = 0;            // reg_token [1, R, D]
    // How many of the leading prefix tokens pos_embed has rows for: all of them (timm's default),
    // none (timm no_embed_class), or the class token alone (transformers' DINOv2 with registers,
    // whose registers join after the positions are added).
    int positionPrefix = 1;
    bool layerScale = false;      // blocks.N.ls1.gamma, ls2.gamma
    bool normPre = false;         // norm_pre before the blocks
    bool finalNorm = true;        // norm after the blocks (timm drops it when fc_norm is used)
    bool fcNorm = false;          // fc_norm after pooling
    VitPool pool = VitPool::Token;
    double normEps = 1e-6;        // every LayerNorm's eps (timm 1e-6; transformers' ViT/DeiT 1e-12)
    std::string family = "vit";   // what was detected: "vit", "deit-distilled", "dinov2", ...
    std::string format = "timm";  // "timm" or "transformers" key layout

    int gridSize() const { return imageSize / patchSize; }
    int numPatches() const { return gridSize() * gridSize(); }
    int prefixTokens() const { return (classToken ? 1 : 0) + (distillationToken ? 1 : 0) + registers; }
    int numTokens() const { return numPatches() + prefixTokens(); } // prefix tokens first
    int positions() const { return numPatches() + positionPrefix; } // rows of pos_embed
    int pooledWidth() const { return pool == VitPool::TokenAndAverage ? 2 * width : width; }
    int headDim() const { return width / heads; }
    double parameterCount() const;
    // Throws ts::Error naming the field when the sizes cannot form a model.
    void validate() const;
};

// ViT-Ti/16, ViT-S/16, ViT-B/16, ViT-L/16, ViT-H/16 at 224 px (timm's vit_*_patch16_224 sizes).
const std::vector<VitConfig>& vitPresets();
// Looks a preset up by name ("vit-s16", case-insensitive; "vit-s/16" and "vit_small" work too).
VitConfig vitPreset(const std::string& name);
// The display name of a preset, e.g. "ViT-S/16".
std::string vitDisplayName(const VitConfig& config);

} // namespace ts
