#pragma once
// timm-named ViT checkpoints: architecture inferred from tensor shapes, every key checked.
#include "core/io/safetensors.h"
#include "core/vit/vit_config.h"

namespace ts {

// Infers depth, width, heads, MLP width, patch, classes and the stored image size from a
// timm ViT/DeiT checkpoint. Heads come from the "num_heads" metadata when present, else
// width / 64 (every timm ViT preset uses 64-wide heads). Throws ts::Error naming file and key.
VitConfig inferVitConfig(const SafetensorsFile& file);

} // namespace ts
