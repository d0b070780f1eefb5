#include "core/vit/vit_checkpoint.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace ts {
namespace {

// A whole decimal number, optionally negative, and nothing else ("3abc", " 3", "" are not).
bool wholeNumber(const std::string& text, long long* out)
{
    const std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
    if (text.size() <= start || text.size() - start > 18)
        return false;
    long long value = 0;
    for (std::size_t i = start; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + (text[i] - '0');
    }
    *out = start ? -value : value;
    return true;
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

// A shape value as an int. Checkpoints can carry any 64-bit dimension (e.g. [2^32 + 8, 0] holds
// no data): refuse what no ViT has instead of letting the cast wrap into a plausible size.
int dimension(const SafetensorsFile& file, const std::string& key, const SafetensorsEntry& e, std::size_t i)
{
    constexpr std::int64_t kLimit = 1 << 24;
    if (e.shape[i] < 0 || e.shape[i] > kLimit)
        throw Error("checkpoint '" + file.path + "': '" + key + "' has shape " + shapeText(e.shape)
                    + ", too large for a ViT");
    return static_cast<int>(e.shape[i]);
}

} // namespace

VitConfig inferVitConfig(const SafetensorsFile& file)
{
    VitConfig c;
    c.name = "checkpoint";
    const auto& patch = require(file, "patch_embed.proj.weight", 4);
    c.width = dimension(file, "patch_embed.proj.weight", patch, 0);
    c.inChannels = dimension(file, "patch_embed.proj.weight", patch, 1);
    c.patchSize = dimension(file, "patch_embed.proj.weight", patch, 2);
    if (patch.shape[2] != patch.shape[3])
        throw Error("checkpoint '" + file.path + "': non-square patches " + shapeText(patch.shape) + " are not supported");
    const auto& pos = require(file, "pos_embed", 3);
    const int positions = dimension(file, "pos_embed", pos, 1);
    const int g = static_cast<int>(std::lround(std::sqrt(std::max(0.0, positions - 1.0))));
    if (positions < 2 || g * g != positions - 1)
        throw Error("checkpoint '" + file.path + "': 'pos_embed' has " + std::to_string(pos.shape[1])
                    + " positions, expected 1 class token + a square grid");
    if (static_cast<std::int64_t>(g) * c.patchSize > (1 << 24))
        throw Error("checkpoint '" + file.path + "': a " + std::to_string(g) + " x " + std::to_string(g)
                    + " grid of patch " + std::to_string(c.patchSize) + " is too large an image");
    c.imageSize = g * c.patchSize;

    std::set<int> blockIds;
    for (const auto& [key, e] : file.entries) {
        if (key.rfind("blocks.", 0) == 0) {
            const auto dot = key.find('.', 7);
            long long id = 0;
            if (!wholeNumber(key.substr(7, dot == std::string::npos ? std::string::npos : dot - 7), &id))
                throw Error("checkpoint '" + file.path + "': unexpected key " + quotedForMessage(key));
            if (id < 0 || id >= 4096) // also keeps depth = last + 1 from overflowing
                throw Error("checkpoint '" + file.path + "': block index " + std::to_string(id) + " is outside 0..4095");
            blockIds.insert(static_cast<int>(id));
        }
    }
    if (blockIds.empty())
        throw Error("checkpoint '" + file.path + "': no 'blocks.N' keys: not a ViT checkpoint");
    if (*blockIds.begin() < 0 || *blockIds.rbegin() >= 4096) // also keeps depth = last + 1 from overflowing
        throw Error("checkpoint '" + file.path + "': block index "
                    + std::to_string(*blockIds.begin() < 0 ? *blockIds.begin() : *blockIds.rbegin()) + " is outside 0..4095");
    c.depth = *blockIds.rbegin() + 1;
    c.mlpHidden = dimension(file, "blocks.0.mlp.fc1.weight", require(file, "blocks.0.mlp.fc1.weight", 2), 0);
    auto headsIt = file.metadata.find("num_heads");
    if (headsIt != file.metadata.end()) {
        long long heads = 0;
        if (!wholeNumber(headsIt->second, &heads) || heads < 1 || heads > 4096) // "3abc" is not 3
            throw Error("checkpoint '" + file.path + "': metadata num_heads " + quotedForMessage(headsIt->second)
                        + " is not a whole number from 1 to 4096");
        c.heads = static_cast<int>(heads);
    } else {
        c.heads = std::max(1, c.width / 64);
    }
    auto head = file.entries.find("head.weight");
    c.numClasses = head == file.entries.end() || head->second.shape.empty() ? 0
                                                                           : dimension(file, "head.weight", head->second, 0);
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error("checkpoint '" + file.path + "': " + e.what());
    }
    return c;
}

} // namespace ts
