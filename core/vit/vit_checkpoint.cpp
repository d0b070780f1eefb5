#include "core/vit/vit_checkpoint.h"

#include "core/vit/checkpoint_side_files.h"
#include "core/util/error.h"
#include "core/util/printable.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace ts {
namespace {

[[noreturn]] void refuse(const CheckpointLayout& layout, const std::string& what)
{
    throw Error("checkpoint '" + layout.path + "': " + what);
}

const LayoutEntry& require(const CheckpointLayout& layout, const std::string& key, std::size_t rank)
{
    auto it = layout.entries.find(key);
    if (it == layout.entries.end())
        refuse(layout, "missing key '" + key + "' (not a timm ViT/DeiT checkpoint?)");
    if (it->second.shape.size() != rank)
        refuse(layout, "'" + layout.fileKey(key) + "' has shape " + shapeText(it->second.shape) + ", expected "
                           + std::to_string(rank) + " dimensions");
    return it->second;
}

// A shape value as an int. Checkpoints can carry any 64-bit dimension (e.g. [2^32 + 8, 0] holds
// no data): refuse what no ViT has instead of letting the cast wrap into a plausible size.
int dimension(const CheckpointLayout& layout, const std::string& key, const LayoutEntry& e, std::size_t i)
{
    constexpr std::int64_t kLimit = 1 << 24;
    if (e.shape[i] < 0 || e.shape[i] > kLimit)
        refuse(layout, "'" + layout.fileKey(key) + "' has shape " + shapeText(e.shape) + ", too large for a ViT");
    return static_cast<int>(e.shape[i]);
}

// A token tensor [1, n, D]: returns n.
int tokenRows(const CheckpointLayout& layout, const std::string& key, int width)
{
    const LayoutEntry& e = require(layout, key, 3);
    if (e.shape[0] != 1 || e.shape[2] != width)
        refuse(layout, "'" + layout.fileKey(key) + "' has shape " + shapeText(e.shape) + ", expected [1, n, "
                           + std::to_string(width) + "]");
    return dimension(layout, key, e, 1);
}

int squareRoot(std::int64_t n)
{
    if (n < 1)
        return 0;
    const auto g = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
    return g * g == n ? static_cast<int>(g) : 0;
}

// pos_embed: which rows are positions of what, and the stored grid. The leading rows belong to
// every prefix token (timm's default), to none (timm no_embed_class) or, in transformers' DINOv2
// with registers, to the class token alone.
void readPositions(const CheckpointLayout& layout, const SideFiles& side, VitCheckpointInfo& info)
{
    VitConfig& c = info.config;
    const int positions = dimension(layout, "pos_embed", require(layout, "pos_embed", 3), 1);
    const int prefix = c.prefixTokens();
    const std::string key = "'" + layout.fileKey("pos_embed") + "'";
    std::vector<int> candidates = {prefix, 0};
    if (layout.format == "transformers")
        candidates = {prefix, c.classToken ? 1 : 0};
    const int rows = side.inputHeight > 0 ? side.inputHeight / c.patchSize : 0;
    const int cols = side.inputWidth > 0 ? side.inputWidth / c.patchSize : 0;
    // A tiny grid can be read two ways (5 prefix tokens + 2 x 2, or 3 x 3 alone): the larger grid
    // wins, which is the only reading for any grid of 3 x 3 or more with up to 5 prefix tokens.
    bool found = false;
    for (int k : candidates) {
        if (rows > 0 && rows != cols && static_cast<std::int64_t>(rows) * cols + k == positions) { // non-square
            info.posRows = rows;
            info.posCols = cols;
            info.origins.push_back("position grid " + sizeText(cols, rows)
                                   + ": input_size in " + side.configPath);
            c.positionPrefix = k;
            found = true;
            break;
        }
        const int g = squareRoot(positions - k);
        if (g > 0 && (!found || g > info.posRows)) {
            info.posRows = info.posCols = g;
            c.positionPrefix = k;
            found = true;
        }
    }
    if (!found)
        refuse(layout, key + " has " + std::to_string(positions) + " positions, expected " + std::to_string(prefix)
                           + " prefix token(s) + a square grid, or a square grid alone (no_embed_class); a non-square grid "
                             "needs timm's config.json with pretrained_cfg.input_size");
    if (c.positionPrefix != prefix)
        info.origins.push_back("position embedding: " + std::to_string(c.positionPrefix) + " of " + std::to_string(prefix)
                               + " prefix tokens positioned");
    if (static_cast<std::int64_t>(std::max(info.posRows, info.posCols)) * c.patchSize > (1 << 24))
        refuse(layout, "a " + sizeText(info.posCols, info.posRows) + " grid of patch "
                           + std::to_string(c.patchSize) + " is too large an image");
    c.imageSize = std::max(info.posRows, info.posCols) * c.patchSize;
}

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

int countBlocks(const CheckpointLayout& layout)
{
    std::set<int> ids;
    for (const auto& [key, e] : layout.entries) {
        if (key.rfind("blocks.", 0) != 0)
            continue;
        const auto dot = key.find('.', 7);
        long long id = 0;
        if (!wholeNumber(key.substr(7, dot == std::string::npos ? std::string::npos : dot - 7), &id))
            refuse(layout, "unexpected key " + quotedForMessage(layout.fileKey(key)));
        if (id < 0 || id >= 4096) // also keeps depth = last + 1 from overflowing
            refuse(layout, "block index " + std::to_string(id) + " is outside 0..4095");
        ids.insert(static_cast<int>(id));
    }
    if (ids.empty())
        refuse(layout, "no 'blocks.N' keys: not a ViT checkpoint");
    if (*ids.begin() < 0 || *ids.rbegin() >= 4096) // also keeps depth = last + 1 from overflowing
        refuse(layout, "block index " + std::to_string(*ids.begin() < 0 ? *ids.begin() : *ids.rbegin()) + " is outside 0..4095");
    return *ids.rbegin() + 1;
}

void readHeads(const CheckpointLayout& layout, const std::map<std::string, std::string>& metadata, const SideFiles& side,
               VitCheckpointInfo& info)
{
    VitConfig& c = info.config;
    auto it = metadata.find("num_heads");
    if (it != metadata.end()) {
        long long heads = 0;
        if (!wholeNumber(it->second, &heads) || heads < 1 || heads > 4096) // "3abc" is not 3
            refuse(layout, "metadata num_heads " + quotedForMessage(it->second) + " is not a whole number from 1 to 4096");
        c.heads = static_cast<int>(heads);
        info.origins.push_back("heads: the file's num_heads metadata");
    } else if (side.numHeads > 0) {
        c.heads = side.numHeads;
        info.origins.push_back("heads: " + side.configPath);
    } else {
        c.heads = std::max(1, c.width / 64);
        info.origins.push_back("heads: width / 64 (timm's presets; add num_heads metadata if not)");
    }
}

// Final norm, pooling and heads.
void readHead(const CheckpointLayout& layout, VitConfig& c)
{
    c.fcNorm = layout.has("fc_norm.weight");
    c.finalNorm = !c.fcNorm; // timm: norm is an Identity exactly when fc_norm is used
    c.pool = c.fcNorm || !c.classToken ? VitPool::Average : VitPool::Token;
    c.distillationHead = c.distillationToken && (layout.format == "timm" || layout.has("head_dist.weight"));
    c.numClasses = 0;
    if (!layout.has("head.weight"))
        return;
    const LayoutEntry& head = require(layout, "head.weight", 2);
    c.numClasses = dimension(layout, "head.weight", head, 0);
    if (head.shape[1] == 2 * c.width && layout.modelClass == "dinov2") // Dinov2ForImageClassification
        c.pool = VitPool::TokenAndAverage;
    else if (head.shape[1] != c.width)
        refuse(layout, "'" + layout.fileKey("head.weight") + "' has shape " + shapeText(head.shape) + ", expected ["
                           + std::to_string(c.numClasses) + ", " + std::to_string(c.width) + "]");
}

std::string familyOf(const VitConfig& c, const SideFiles& side)
{
    if (!side.architecture.empty())
        return side.architecture;
    if (!side.modelType.empty())
        return side.modelType;
    if (c.distillationToken)
        return "deit-distilled";
    if (c.layerScale && c.patchSize == 14)
        return c.registers > 0 ? "dinov2-registers" : "dinov2";
    if (c.registers > 0)
        return "vit-registers";
    if (c.layerScale)
        return "vit-layerscale (DeiT-III style)";
    if (c.normPre)
        return "vit-norm-pre (CLIP style)";
    if (c.pool == VitPool::Average)
        return "vit-gap (MAE style)";
    return "vit";
}

} // namespace

VitCheckpointInfo inspectVitCheckpoint(const CheckpointLayout& layout, const std::map<std::string, std::string>& metadata,
                                       const SideFiles& side)
{
    VitCheckpointInfo info;
    VitConfig& c = info.config;
    c.name = "checkpoint";
    c.format = layout.format;
    const auto& patch = require(layout, "patch_embed.proj.weight", 4);
    c.width = dimension(layout, "patch_embed.proj.weight", patch, 0);
    c.inChannels = dimension(layout, "patch_embed.proj.weight", patch, 1);
    c.patchSize = dimension(layout, "patch_embed.proj.weight", patch, 2);
    if (patch.shape[2] != patch.shape[3])
        refuse(layout, "non-square patches " + shapeText(patch.shape) + " are not supported");
    c.classToken = layout.has("cls_token") && tokenRows(layout, "cls_token", c.width) == 1;
    c.distillationToken = layout.has("dist_token") && tokenRows(layout, "dist_token", c.width) == 1;
    c.registers = layout.has("reg_token") ? tokenRows(layout, "reg_token", c.width) : 0;
    if (layout.has("cls_token") && !c.classToken)
        refuse(layout, "'" + layout.fileKey("cls_token") + "' must hold one token");
    if (layout.has("dist_token") && !c.distillationToken)
        refuse(layout, "'" + layout.fileKey("dist_token") + "' must hold one token");
    c.layerScale = layout.has("blocks.0.ls1.gamma");
    c.normPre = layout.has("norm_pre.weight");
    readPositions(layout, side, info);
    c.depth = countBlocks(layout);
    c.mlpHidden = dimension(layout, "blocks.0.mlp.fc1.weight", require(layout, "blocks.0.mlp.fc1.weight", 2), 0);
    if (layout.format == "transformers")
        applyTransformersConfig(layout, side, info);
    readHeads(layout, metadata, side, info);
    readHead(layout, c);
    checkSideFiles(layout, side, info);
    c.family = familyOf(c, side);
    try {
        c.validate();
    } catch (const Error& e) {
        refuse(layout, e.what());
    }
    return info;
}

VitConfig inferVitConfig(const SafetensorsFile& file)
{
    return inspectVitCheckpoint(detectLayout(file), file.metadata).config;
}

} // namespace ts
