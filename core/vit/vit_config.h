#pragma once
// Architecture of a timm-style Vision Transformer, free of torch so any layer can include it.
#include <string>
#include <vector>

namespace ts {

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

    int gridSize() const { return imageSize / patchSize; }
    int numPatches() const { return gridSize() * gridSize(); }
    int numTokens() const { return numPatches() + 1; } // class token first
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
