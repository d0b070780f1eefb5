#include "core/vit/checkpoint_layout.h"

#include "core/util/error.h"

namespace ts {
namespace {

bool startsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// transformers' per-layer names (after "encoder.layer.N.") -> timm's (after "blocks.N."), for
// ViTLayer/DeiTLayer (layernorm_before, intermediate, output) and Dinov2Layer (norm1, mlp,
// layer_scale). query/key/value are handled apart (fused into qkv).
const std::map<std::string, std::string>& layerNames()
{
    static const std::map<std::string, std::string> names = {
        {"layernorm_before.weight", "norm1.weight"},
        {"layernorm_before.bias", "norm1.bias"},
        {"layernorm_after.weight", "norm2.weight"},
        {"layernorm_after.bias", "norm2.bias"},
        {"norm1.weight", "norm1.weight"},
        {"norm1.bias", "norm1.bias"},
        {"norm2.weight", "norm2.weight"},
        {"norm2.bias", "norm2.bias"},
        {"attention.output.dense.weight", "attn.proj.weight"},
        {"attention.output.dense.bias", "attn.proj.bias"},
        {"intermediate.dense.weight", "mlp.fc1.weight"},
        {"intermediate.dense.bias", "mlp.fc1.bias"},
        {"output.dense.weight", "mlp.fc2.weight"},
        {"output.dense.bias", "mlp.fc2.bias"},
        {"mlp.fc1.weight", "mlp.fc1.weight"},
        {"mlp.fc1.bias", "mlp.fc1.bias"},
        {"mlp.fc2.weight", "mlp.fc2.weight"},
        {"mlp.fc2.bias", "mlp.fc2.bias"},
        {"layer_scale1.lambda1", "ls1.gamma"},
        {"layer_scale2.lambda1", "ls2.gamma"},
    };
    return names;
}

// Everything outside the encoder layers.
const std::map<std::string, std::string>& topNames()
{
    static const std::map<std::string, std::string> names = {
        {"embeddings.cls_token", "cls_token"},
        {"embeddings.distillation_token", "dist_token"},
        {"embeddings.register_tokens", "reg_token"},
        {"embeddings.position_embeddings", "pos_embed"},
        {"embeddings.patch_embeddings.projection.weight", "patch_embed.proj.weight"},
        {"embeddings.patch_embeddings.projection.bias", "patch_embed.proj.bias"},
        {"layernorm.weight", "norm.weight"},
        {"layernorm.bias", "norm.bias"},
        {"classifier.weight", "head.weight"},
        {"classifier.bias", "head.bias"},
        {"cls_classifier.weight", "head.weight"},
        {"cls_classifier.bias", "head.bias"},
        {"distillation_classifier.weight", "head_dist.weight"},
        {"distillation_classifier.bias", "head_dist.bias"},
    };
    return names;
}

// Keys a forward pass does not use: the BERT-style pooler of ViTModel/DeiTModel (a dense + tanh
// on the class token, not what timm's pre-logits are) and the masked-image-modelling mask token.
bool ignoredKey(const std::string& key)
{
    return key == "embeddings.mask_token" || startsWith(key, "pooler.");
}

void add(CheckpointLayout& layout, const SafetensorsFile& file, const std::string& timmKey, const std::string& fileKey)
{
    if (layout.entries.count(timmKey))
        throw Error("checkpoint '" + file.path + "': '" + fileKey + "' and '" + layout.entries[timmKey].parts.front()
                    + "' both hold timm's '" + timmKey + "'");
    layout.entries[timmKey] = LayoutEntry{file.entries.at(fileKey).shape, {fileKey}};
}

// query, key and value of one layer -> timm's qkv ([3D, D] and [3D]: q rows, then k, then v).
void addQkv(CheckpointLayout& layout, const SafetensorsFile& file, const std::string& layerPrefix, const std::string& block,
            const std::string& what)
{
    const std::string base = layerPrefix + "attention.attention.";
    std::vector<std::string> parts;
    std::vector<std::int64_t> shape;
    for (const char* name : {"query.", "key.", "value."}) {
        const std::string key = base + name + what;
        auto it = file.entries.find(key);
        if (it == file.entries.end())
            throw Error("checkpoint '" + file.path + "': missing key '" + key + "' (transformers attention needs query, key and value)");
        if (it->second.shape.empty())
            throw Error("checkpoint '" + file.path + "': '" + key + "' has shape [], expected a matrix or vector");
        if (shape.empty())
            shape = it->second.shape;
        else if (it->second.shape != shape)
            throw Error("checkpoint '" + file.path + "': '" + key + "' has shape " + shapeText(it->second.shape)
                        + ", expected " + shapeText(shape) + " as the query's");
        parts.push_back(key);
    }
    shape[0] *= 3;
    layout.entries["blocks." + block + ".attn.qkv." + what] = LayoutEntry{shape, parts};
}

} // namespace

std::string CheckpointLayout::fileKey(const std::string& timmKey) const
{
    auto it = entries.find(timmKey);
    return it == entries.end() || it->second.parts.empty() ? timmKey : it->second.parts.front();
}

CheckpointLayout timmLayout(const SafetensorsFile& file)
{
    CheckpointLayout layout;
    layout.path = file.path;
    for (const auto& [key, e] : file.entries)
        layout.entries[key] = LayoutEntry{e.shape, {key}};
    return layout;
}

CheckpointLayout transformersLayout(const SafetensorsFile& file)
{
    CheckpointLayout layout;
    layout.path = file.path;
    layout.format = "transformers";
    // The *ForImageClassification classes keep the backbone under its model name.
    std::string prefix;
    for (const char* p : {"vit.", "deit.", "dinov2."})
        if (file.entries.count(std::string(p) + "embeddings.patch_embeddings.projection.weight"))
            prefix = p;
    auto strip = [&](const std::string& key) { return startsWith(key, prefix) ? key.substr(prefix.size()) : key; };
    bool distillation = false, layerScale = false;
    for (const auto& [key, e] : file.entries) {
        const std::string k = strip(key);
        distillation = distillation || k == "embeddings.distillation_token";
        layerScale = layerScale || k.find(".layer_scale1.") != std::string::npos || k.find(".norm1.") != std::string::npos;
        if (ignoredKey(k)) {
            layout.ignored.insert(key);
            continue;
        }
        auto top = topNames().find(k);
        if (top != topNames().end()) {
            add(layout, file, top->second, key);
            continue;
        }
        if (startsWith(k, "encoder.layer.")) {
            const auto dot = k.find('.', 14);
            const std::string block = k.substr(14, dot == std::string::npos ? std::string::npos : dot - 14);
            const std::string rest = dot == std::string::npos ? "" : k.substr(dot + 1);
            bool digits = !block.empty() && block.size() <= 4;
            for (char ch : block)
                digits = digits && ch >= '0' && ch <= '9';
            if (digits) {
                const std::string layerPrefix = key.substr(0, key.size() - rest.size());
                if (rest == "attention.attention.query.weight" || rest == "attention.attention.query.bias") {
                    addQkv(layout, file, layerPrefix, std::to_string(std::stoi(block)), rest.substr(rest.rfind('.') + 1));
                    continue;
                }
                if (startsWith(rest, "attention.attention.key.") || startsWith(rest, "attention.attention.value."))
                    continue; // part of qkv, checked there
                auto name = layerNames().find(rest);
                if (name != layerNames().end()) {
                    add(layout, file, "blocks." + std::to_string(std::stoi(block)) + "." + name->second, key);
                    continue;
                }
            }
        }
        throw Error("checkpoint '" + file.path + "': unexpected key '" + key
                    + "' (not part of a transformers ViT, DeiT or DINOv2)");
    }
    layout.modelClass = distillation ? "deit" : layerScale ? "dinov2" : "vit";
    return layout;
}

CheckpointLayout detectLayout(const SafetensorsFile& file)
{
    for (const auto& [key, e] : file.entries)
        if (key.find("embeddings.patch_embeddings.projection.weight") != std::string::npos)
            return transformersLayout(file);
    return timmLayout(file);
}

std::vector<float> layoutFloats(const SafetensorsFile& file, const CheckpointLayout& layout, const std::string& timmKey)
{
    auto it = layout.entries.find(timmKey);
    if (it == layout.entries.end())
        throw Error("checkpoint '" + file.path + "': missing key '" + timmKey + "'");
    if (it->second.parts.size() == 1)
        return file.floats(it->second.parts.front());
    std::vector<float> out;
    for (const std::string& part : it->second.parts) {
        std::vector<float> values = file.floats(part);
        out.insert(out.end(), values.begin(), values.end());
    }
    return out;
}

} // namespace ts
