#pragma once
// A checkpoint's side files checked against its weights: transformers' config.json supplies what
// the weights cannot say (heads, LayerNorm eps, activation) and both formats' files must agree
// with the shapes (classes, width, depth, patch, registers); a contradiction is refused naming
// the side file, its key and the weight it contradicts. Torch-free.
#include "core/io/side_files.h"
#include "core/vit/checkpoint_layout.h"
#include "core/vit/vit_api.h"
#include "core/vit/vit_checkpoint.h"

namespace ts {

// transformers layouts: requires a transformers config.json beside the file with hidden_size,
// num_hidden_layers, num_attention_heads, patch_size, layer_norm_eps and hidden_act ("gelu", the
// exact erf GELU every ViT uses); sets eps and family. Throws ts::Error.
void applyTransformersConfig(const CheckpointLayout& layout, const SideFiles& side, VitCheckpointInfo& info);

// Both formats: the side files' classes, patch, registers, distillation and id2label must fit the
// weights. Throws ts::Error.
void checkSideFiles(const CheckpointLayout& layout, const SideFiles& side, VitCheckpointInfo& info);

// The preprocessing the side files imply for a `inputSize` input: timm's pretrained_cfg (mean,
// std, crop_pct, interpolation) or transformers' preprocessor_config.json (image_mean, image_std,
// size, crop_size, resample 2 bilinear / 3 bicubic); the defaults without either. What the app
// cannot do as written (another filter, a non-square crop) is refused naming the file and key.
Preprocessing preprocessingFromSideFiles(const SideFiles& side);

// Everything the UI shows about a loaded checkpoint. Class names: id2label, else ImageNet-1k's
// for a 1000-way head, else none.
ModelDescription describeCheckpoint(const std::string& path, const SideFiles& side, const VitCheckpointInfo& info);

} // namespace ts
