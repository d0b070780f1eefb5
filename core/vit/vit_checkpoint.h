#pragma once
// ViT checkpoints in timm's or transformers' layout: the architecture inferred from the tensor
// shapes (and the side files when they sit beside the file), every key checked.
#include "core/io/safetensors.h"
#include "core/io/side_files.h"
#include "core/vit/checkpoint_layout.h"
#include "core/vit/vit_config.h"

#include <string>
#include <vector>

namespace ts {

struct VitCheckpointInfo {
    VitConfig config;               // imageSize: the stored grid's (the larger side when not square)
    int posRows = 0, posCols = 0;   // the stored position grid
    std::vector<std::string> origins; // where each inferred value came from, e.g. "heads: config.json"
};

// Reads the architecture from the layout's shapes:
// - prefix tokens from cls_token, dist_token (DeiT distilled; its head_dist joins head), reg_token [1, R, D];
// - pos_embed [1, P, D]: prefix + a square grid, or a square grid alone (timm no_embed_class), or
//   a non-square grid when the side files give the input size;
// - LayerScale from blocks.0.ls1.gamma, norm_pre, fc_norm (global-average pooling, no final norm);
// - heads from the "num_heads" metadata, config.json, else width / 64 (every timm ViT preset).
// Side files must agree with the weights (classes, width, depth, heads, patch, registers).
// Throws ts::Error naming the file, the key and what was expected.
VitCheckpointInfo inspectVitCheckpoint(const CheckpointLayout& layout, const std::map<std::string, std::string>& metadata,
                                       const SideFiles& side = {});

// inspectVitCheckpoint(detectLayout(file), file.metadata).config.
VitConfig inferVitConfig(const SafetensorsFile& file);

} // namespace ts
