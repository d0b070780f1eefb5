#include "core/vit/vit_config.h"

#include "core/util/error.h"

#include <algorithm>
#include <cctype>

namespace ts {

double VitConfig::parameterCount() const
{
    const double d = width, h = mlpHidden;
    const double perBlock = 4 * d                           // two LayerNorms
                          + 3 * d * d + 3 * d + d * d + d // qkv, proj
                          + d * h + h + h * d + d;        // fc1, fc2
    const double patch = static_cast<double>(inChannels) * patchSize * patchSize * d + d;
    const double tokens = static_cast<double>(prefixTokens()) * d + static_cast<double>(positions()) * d; // prefix, pos
    const double pooled = pooledWidth();
    const double heads = numClasses > 0 ? (pooled + 1) * numClasses + (distillationHead ? (d + 1) * numClasses : 0) : 0;
    const double norms = 2 * d * ((normPre ? 1 : 0) + (finalNorm ? 1 : 0)) + (fcNorm ? 2 * pooled : 0);
    const double scales = layerScale ? 2 * d : 0;
    return patch + tokens + depth * (perBlock + scales) + norms + heads;
}

void VitConfig::validate() const
{
    auto fail = [](const std::string& what) { throw Error("model: " + what); };
    if (patchSize <= 0)
        fail("patch size must be positive, got " + std::to_string(patchSize));
    if (imageSize <= 0 || imageSize % patchSize != 0)
        fail("image size " + std::to_string(imageSize) + " must be a positive multiple of the patch size "
             + std::to_string(patchSize));
    if (width <= 0 || heads <= 0 || width % heads != 0)
        fail("width " + std::to_string(width) + " must be a positive multiple of heads " + std::to_string(heads));
    if (depth <= 0)
        fail("depth must be positive, got " + std::to_string(depth));
    if (mlpHidden <= 0)
        fail("MLP width must be positive, got " + std::to_string(mlpHidden));
    if (numClasses < 0)
        fail("number of classes cannot be negative");
    if (inChannels != 3)
        fail("only 3-channel (RGB) models are supported, got " + std::to_string(inChannels));
    if (registers < 0 || registers > 1024)
        fail("register tokens must be between 0 and 1024, got " + std::to_string(registers));
    if (pool != VitPool::Average && !classToken)
        fail("class-token pooling needs a class token (cls_token)");
    if (distillationHead && !distillationToken)
        fail("a distillation head (head_dist) needs a distillation token (dist_token)");
    if (distillationHead && pool != VitPool::Token)
        fail("a distilled model pools its class and distillation tokens, not an average");
    if (positionPrefix < 0 || positionPrefix > prefixTokens())
        fail("position embedding rows for " + std::to_string(positionPrefix) + " prefix tokens, but the model has "
             + std::to_string(prefixTokens()));
    if (!(normEps > 0) || normEps > 1)
        fail("LayerNorm eps must be in (0, 1]");
}

const std::vector<VitConfig>& vitPresets()
{
    static const std::vector<VitConfig> presets = [] {
        auto make = [](const char* name, int width, int depth, int heads) {
            VitConfig c;
            c.name = name;
            c.width = width;
            c.depth = depth;
            c.heads = heads;
            c.mlpHidden = 4 * width;
            return c;
        };
        return std::vector<VitConfig>{make("vit-ti16", 192, 12, 3), make("vit-s16", 384, 12, 6),
                                      make("vit-b16", 768, 12, 12), make("vit-l16", 1024, 24, 16),
                                      make("vit-h16", 1280, 32, 16)};
    }();
    return presets;
}

VitConfig vitPreset(const std::string& name)
{
    std::string key;
    for (char ch : name)
        if (std::isalnum(static_cast<unsigned char>(ch)))
            key += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    static const std::pair<const char*, const char*> aliases[] = {
        {"vitti16", "vit-ti16"}, {"vittiny", "vit-ti16"}, {"vits16", "vit-s16"}, {"vitsmall", "vit-s16"},
        {"vitb16", "vit-b16"},   {"vitbase", "vit-b16"},  {"vitl16", "vit-l16"}, {"vitlarge", "vit-l16"},
        {"vith16", "vit-h16"},   {"vithuge", "vit-h16"}};
    for (const auto& [alias, preset] : aliases) {
        if (key == alias) {
            for (const auto& c : vitPresets())
                if (c.name == preset)
                    return c;
        }
    }
    std::string known;
    for (const auto& c : vitPresets())
        known += (known.empty() ? "" : ", ") + c.name;
    throw Error("unknown model preset '" + name + "' (known: " + known + ")");
}

std::string vitDisplayName(const VitConfig& config)
{
    for (const auto& c : vitPresets()) {
        if (c.name == config.name) {
            std::string size = c.name.substr(4, c.name.size() - 6); // "ti", "s", ...
            std::string shown = size == "ti" ? "Ti" : std::string(1, static_cast<char>(std::toupper(size[0])));
            return "ViT-" + shown + "/" + std::to_string(config.patchSize);
        }
    }
    return "ViT (" + std::to_string(config.width) + " wide, " + std::to_string(config.depth) + " deep, "
         + std::to_string(config.heads) + " heads, patch " + std::to_string(config.patchSize) + ")";
}

} // namespace ts
