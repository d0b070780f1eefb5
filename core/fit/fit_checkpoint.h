#pragma once
// FIT checkpoints as .safetensors (F32), and initialising FIT's local layers from a timm ViT.
// Torch side: include only from core .cpp files and core tests.
//
// Keys are the parameter names of FitModel (see core/fit/fit_model.h):
//   patch_embed.proj.weight [c, 3, p, p], patch_embed.proj.bias [c], pos_embed [1, n, c],
//   latents [t*m, d], blocks.I.local.J.<timm block keys>, blocks.I.read.{norm_q,norm_kv,q,kv,proj}.{weight,bias},
//   blocks.I.global.J.<timm block keys>, blocks.I.write.{...} (not after the last block),
//   norm.{weight,bias}, latent_norm.{weight,bias}.
// Metadata: "format" = "tokenscope-fit", "fit_config" = JSON {patch_size, data_width, heads,
//   latent_width, latent_heads, mlp_ratio, group_size, latents_per_group, pattern,
//   autoregressive, grid_rows, grid_cols}. The latent table has one row per (group, slot), so a
//   checkpoint fits images with the same number of groups.
#include "core/fit/fit_model.h"
#include "core/io/safetensors.h"

#include <string>

namespace ts {

bool isFitCheckpoint(const SafetensorsFile& file);
// The configuration and patch grid stored in a FIT checkpoint; throws ts::Error naming the file.
FitConfig fitConfigFromCheckpoint(const SafetensorsFile& file, int* gridRows = nullptr, int* gridCols = nullptr);

void saveFitCheckpoint(const FitModelImpl& model, const std::string& path);
// Copies every tensor into `model`; every key must be present with the model's shape and no
// extra key may exist (ts::Error names the key).
void loadFitWeights(FitModelImpl& model, const SafetensorsFile& file);

// Local layer k (counting through the blocks in order) <- the ViT's blocks.k; patch_embed <- the
// ViT's; pos_embed <- the ViT's patch position table resampled (bicubic) to the g x g window.
// Global layers, cross-attention and latents keep their values. Returns the ViT blocks used.
int initialiseFromVit(FitModelImpl& model, const SafetensorsFile& vit);

} // namespace ts
