#include "core/vit/vit_checkpoint.h"

#include "core/util/error.h"

#include <cmath>
#include <set>

namespace ts {
namespace {

std::string shapeText(const std::vector<std::int64_t>& shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

const SafetensorsEntry& require(const SafetensorsFile& file, const std::string& key, std::size_t rank)
{
    auto it = file.entries.find(key);
    if (it == file.entries.end())
        throw Error("checkpoint '" + file.path + "': missing key '" + key + "' (not a timm ViT/DeiT checkpoint?)");
    if (it->second.shape.size() != rank)
        throw Error("checkpoint '" + file.path + "': '" + key + "' has shape " + shapeText(it->second.shape)
                    + ", expected " + std::to_string(rank) + " dimensions");
    return it->second;
}

} // namespace

VitConfig inferVitConfig(const SafetensorsFile& file)
{
    VitConfig c;
    c.name = "checkpoint";
    const auto& patch = require(file, "patch_embed.proj.weight", 4);
    c.width = static_cast<int>(patch.shape[0]);
    c.inChannels = static_cast<int>(patch.shape[1]);
    c.patchSize = static_cast<int>(patch.shape[2]);
    if (patch.shape[2] != patch.shape[3])
        throw Error("checkpoint '" + file.path + "': non-square patches " + shapeText(patch.shape) + " are not supported");
    const auto& pos = require(file, "pos_embed", 3);
    const double grid = std::sqrt(static_cast<double>(pos.shape[1] - 1));
    const int g = static_cast<int>(std::lround(grid));
    if (g * g != pos.shape[1] - 1)
        throw Error("checkpoint '" + file.path + "': 'pos_embed' has " + std::to_string(pos.shape[1])
                    + " positions, expected 1 class token + a square grid");
    c.imageSize = g * c.patchSize;

    std::set<int> blockIds;
    for (const auto& [key, e] : file.entries) {
        if (key.rfind("blocks.", 0) == 0) {
            const auto dot = key.find('.', 7);
            try {
                blockIds.insert(std::stoi(key.substr(7, dot - 7)));
            } catch (const std::exception&) {
                throw Error("checkpoint '" + file.path + "': unexpected key '" + key + "'");
            }
        }
    }
    if (blockIds.empty())
        throw Error("checkpoint '" + file.path + "': no 'blocks.N' keys: not a ViT checkpoint");
    c.depth = *blockIds.rbegin() + 1;
    c.mlpHidden = static_cast<int>(require(file, "blocks.0.mlp.fc1.weight", 2).shape[0]);
    auto headsIt = file.metadata.find("num_heads");
    if (headsIt != file.metadata.end()) {
        try {
            c.heads = std::stoi(headsIt->second);
        } catch (const std::exception&) {
            throw Error("checkpoint '" + file.path + "': metadata num_heads '" + headsIt->second + "' is not a number");
        }
    } else {
        c.heads = std::max(1, c.width / 64);
    }
    auto head = file.entries.find("head.weight");
    c.numClasses = head == file.entries.end() ? 0 : static_cast<int>(head->second.shape.empty() ? 0 : head->second.shape[0]);
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error("checkpoint '" + file.path + "': " + e.what());
    }
    return c;
}

} // namespace ts
