#pragma once
// A checkpoint seen under timm's key names, whatever layout the file uses: each timm key names
// the file tensors that hold it (one, or several concatenated along the first dimension, as
// transformers' separate query/key/value become timm's fused qkv). Files are never rewritten:
// the weights are read from the file's own keys when the model is filled. Torch-free.
#include "core/io/safetensors.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ts {

struct LayoutEntry {
    std::vector<std::int64_t> shape; // the timm tensor's shape
    std::vector<std::string> parts;  // file keys, concatenated along dimension 0
};

struct CheckpointLayout {
    std::string path;                            // the file, for messages
    std::string format = "timm";                 // "timm" or "transformers"
    std::string modelClass;                      // transformers: "vit", "deit" or "dinov2"
    std::map<std::string, LayoutEntry> entries;  // timm key -> file tensors
    std::set<std::string> ignored;               // file keys no forward pass uses (pooler, mask_token)

    bool has(const std::string& timmKey) const { return entries.count(timmKey) > 0; }
    // The file key a message should name for a timm key (its first part, else the timm key).
    std::string fileKey(const std::string& timmKey) const;
};

// The file's own keys (timm layout).
CheckpointLayout timmLayout(const SafetensorsFile& file);
// transformers' ViT, DeiT and DINOv2 (with or without the "vit."/"deit."/"dinov2." prefix of the
// *ForImageClassification classes) mapped to timm names; every file key is either mapped or
// deliberately ignored, anything else is refused naming the key. Throws ts::Error.
CheckpointLayout transformersLayout(const SafetensorsFile& file);
// transformersLayout when the keys are transformers' (an "embeddings.patch_embeddings" key),
// else timmLayout.
CheckpointLayout detectLayout(const SafetensorsFile& file);

// The timm tensor's values as float32 (the parts concatenated).
std::vector<float> layoutFloats(const SafetensorsFile& file, const CheckpointLayout& layout, const std::string& timmKey);

} // namespace ts
