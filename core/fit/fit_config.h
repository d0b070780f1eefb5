#pragma once
// Architecture of a FIT encoder (Chen & Li 2023, "FIT: Far-reaching Interleaved Transformers",
// Sec. 2; official code google-research/pix2seq architectures/transformers.py, class FIT).
// Torch-free so the GUI, the command line and the memory estimate can all use it.
#include "core/fit/layer_pattern.h"

#include <string>

namespace ts {

struct FitConfig {
    int patchSize = 16;
    int dataWidth = 384;       // c: width of the patch (data) tokens and the local layers
    int heads = 6;             // heads of the local layers
    int latentWidth = 384;     // d: width of the latents and the global layers
    int latentHeads = 6;       // heads of the global layers
    int mlpRatio = 4;          // MLP hidden width = mlpRatio x width (local and global layers)
    int groupSize = 8;         // g: a group is a g x g window of patches, n = g^2 tokens
    int latentsPerGroup = 4;   // m
    std::string pattern = "L(4)G(2)L(4)G(2)";
    // FIT-AR information flow (pix2seq FITAR): causal local attention inside a group (raster
    // order), block-causal global attention over groups, and data of group i reading the
    // latents of group i-1 (group 0 reads zeros).
    bool autoregressive = false;

    int tokensPerGroup() const { return groupSize * groupSize; }
    // Cross-attention between data and latents (pix2seq: num_heads = min(x_heads, latent_heads),
    // key width min(c, d)); its output is projected back to the query's width.
    int crossHeads() const { return heads < latentHeads ? heads : latentHeads; }
    int crossWidth() const { return dataWidth < latentWidth ? dataWidth : latentWidth; }

    // Throws ts::Error with one line naming the field; also checks that the pattern parses.
    void validate() const;
    LayerPattern layerPattern() const { return parseLayerPattern(pattern); }
};

} // namespace ts
