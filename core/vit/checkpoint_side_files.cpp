#include "core/vit/checkpoint_side_files.h"

#include "core/util/error.h"
#include "core/util/printable.h"

namespace ts {
namespace {

[[noreturn]] void contradiction(const std::string& sideFile, const std::string& key, const std::string& said,
                                const CheckpointLayout& layout, const std::string& weightKey, const std::string& found)
{
    throw Error("'" + sideFile + "': '" + key + "' is " + said + " but '" + layout.fileKey(weightKey) + "' in '"
                + layout.path + "' gives " + found);
}

void requireField(const SideFiles& side, const char* key, bool present, const std::string& expected)
{
    if (!present)
        throw Error("'" + side.configPath + "': missing '" + key + "' (" + expected + ")");
}

// What timm's architecture names say: "patchN", "regN", "distilled".
int numberAfter(const std::string& name, const std::string& tag)
{
    const auto at = name.find(tag);
    if (at == std::string::npos)
        return -1;
    std::size_t i = at + tag.size();
    int value = 0, digits = 0;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 6) {
        value = value * 10 + (name[i++] - '0');
        ++digits;
    }
    return digits > 0 ? value : -1;
}

void checkTimmArchitecture(const CheckpointLayout& layout, const SideFiles& side, const VitConfig& c)
{
    const std::string& arch = side.architecture;
    const int patch = numberAfter(arch, "patch");
    if (patch > 0 && patch != c.patchSize)
        contradiction(side.configPath, "architecture", "'" + arch + "'", layout, "patch_embed.proj.weight",
                      "patch " + std::to_string(c.patchSize));
    const int reg = numberAfter(arch, "_reg");
    if (reg >= 0 && reg != c.registers)
        contradiction(side.configPath, "architecture", "'" + arch + "' (" + std::to_string(reg) + " registers)", layout,
                      "reg_token", std::to_string(c.registers) + " register tokens");
    if (reg < 0 && c.registers > 0 && arch.find("reg") == std::string::npos)
        contradiction(side.configPath, "architecture", "'" + arch + "' (no registers)", layout, "reg_token",
                      std::to_string(c.registers) + " register tokens");
    const bool distilled = arch.find("distilled") != std::string::npos;
    if (distilled != c.distillationToken)
        contradiction(side.configPath, "architecture", "'" + arch + "'", layout, distilled ? "cls_token" : "dist_token",
                      distilled ? "no distillation token" : "a distillation token");
    if (side.numClasses >= 0 && side.numClasses != c.numClasses)
        contradiction(side.configPath, "num_classes", std::to_string(side.numClasses), layout, "head.weight",
                      c.numClasses == 0 ? "no head" : std::to_string(c.numClasses) + " classes");
}

} // namespace

void applyTransformersConfig(const CheckpointLayout& layout, const SideFiles& side, VitCheckpointInfo& info)
{
    VitConfig& c = info.config;
    if (side.kind != SideFiles::Kind::Transformers)
        throw Error("checkpoint '" + layout.path + "': a transformers checkpoint needs its config.json beside it "
                    "(heads, LayerNorm eps and activation are not in the weights)"
                    + (side.kind == SideFiles::Kind::Timm ? "; '" + side.configPath + "' is timm's" : std::string()));
    requireField(side, "hidden_size", side.hiddenSize > 0, "the width");
    requireField(side, "num_hidden_layers", side.numLayers > 0, "the depth");
    requireField(side, "num_attention_heads", side.numHeads > 0, "the heads cannot be read from the weights");
    requireField(side, "patch_size", side.patchSize > 0, "the patch size");
    requireField(side, "layer_norm_eps", side.layerNormEps > 0, "transformers' ViT uses 1e-12, DINOv2 1e-6");
    requireField(side, "hidden_act", !side.hiddenAct.empty(), "the MLP activation");
    if (side.hiddenAct != "gelu")
        throw Error("'" + side.configPath + "': 'hidden_act' is '" + side.hiddenAct
                    + "', expected 'gelu' (the exact GELU these ViTs use)");
    if (side.hiddenSize != c.width)
        contradiction(side.configPath, "hidden_size", std::to_string(side.hiddenSize), layout, "patch_embed.proj.weight",
                      "width " + std::to_string(c.width));
    if (side.numLayers != c.depth)
        contradiction(side.configPath, "num_hidden_layers", std::to_string(side.numLayers), layout, "blocks.0.norm1.weight",
                      std::to_string(c.depth) + " layers");
    if (side.patchSize != c.patchSize)
        contradiction(side.configPath, "patch_size", std::to_string(side.patchSize), layout, "patch_embed.proj.weight",
                      "patch " + std::to_string(c.patchSize));
    if (side.intermediateSize > 0 && side.intermediateSize != c.mlpHidden)
        contradiction(side.configPath, "intermediate_size", std::to_string(side.intermediateSize), layout,
                      "blocks.0.mlp.fc1.weight", "MLP width " + std::to_string(c.mlpHidden));
    const bool dinov2 = side.modelType == "dinov2" || side.modelType == "dinov2_with_registers";
    if (side.modelType != "vit" && side.modelType != "deit" && !dinov2)
        throw Error("'" + side.configPath + "': 'model_type' is '" + side.modelType
                    + "', expected vit, deit, dinov2 or dinov2_with_registers");
    if ((side.modelType == "deit") != (layout.modelClass == "deit") || dinov2 != (layout.modelClass == "dinov2"))
        contradiction(side.configPath, "model_type", "'" + side.modelType + "'", layout, "patch_embed.proj.weight",
                      "the key layout of transformers' " + layout.modelClass);
    c.normEps = side.layerNormEps;
    info.origins.push_back("heads, LayerNorm eps " + std::to_string(side.layerNormEps) + ", GELU: " + side.configPath);
}

void checkSideFiles(const CheckpointLayout& layout, const SideFiles& side, VitCheckpointInfo& info)
{
    const VitConfig& c = info.config;
    if (side.kind == SideFiles::Kind::Timm)
        checkTimmArchitecture(layout, side, c);
    if (side.kind == SideFiles::Kind::Transformers) {
        const int registers = side.numRegisters < 0 ? 0 : side.numRegisters;
        if (registers != c.registers)
            contradiction(side.configPath, "num_register_tokens", std::to_string(registers), layout, "reg_token",
                          std::to_string(c.registers) + " register tokens");
        if (!side.id2label.empty() && c.numClasses > 0 && static_cast<int>(side.id2label.size()) != c.numClasses)
            contradiction(side.configPath, "id2label", std::to_string(side.id2label.size()) + " labels", layout,
                          "head.weight", std::to_string(c.numClasses) + " classes");
    }
}

namespace {

void setNormalisation(Normalisation& n, const std::vector<double>& mean, const std::vector<double>& std)
{
    for (int c = 0; c < 3; ++c) {
        if (!mean.empty())
            n.mean[c] = static_cast<float>(mean[static_cast<std::size_t>(c)]);
        if (!std.empty())
            n.std[c] = static_cast<float>(std[static_cast<std::size_t>(c)]);
    }
}

void fromTimm(const SideFiles& side, Preprocessing& p)
{
    setNormalisation(p.normalisation, side.mean, side.std);
    if (side.cropPct > 0)
        p.cropFraction = side.cropPct;
    if (side.interpolation == "bicubic")
        p.filter = ResizeFilter::Bicubic;
    else if (side.interpolation == "bilinear")
        p.filter = ResizeFilter::Bilinear;
    else if (!side.interpolation.empty())
        throw Error("'" + side.configPath + "': 'pretrained_cfg.interpolation' is '" + side.interpolation
                    + "', expected bicubic or bilinear");
    p.origin = side.configPath + " (pretrained_cfg)";
    p.fromSideFiles = true;
}

void fromPreprocessor(const SideFiles& side, Preprocessing& p)
{
    const std::string& file = side.preprocessorPath;
    setNormalisation(p.normalisation, side.imageMean, side.imageStd);
    if (side.resample == 2)
        p.filter = ResizeFilter::Bilinear;
    else if (side.resample == 3)
        p.filter = ResizeFilter::Bicubic;
    else if (side.resample >= 0)
        throw Error("'" + file + "': 'resample' is " + std::to_string(side.resample) + ", expected 2 (bilinear) or 3 (bicubic)");
    if (side.doCenterCrop && side.cropHeight != side.cropWidth)
        throw Error("'" + file + "': 'crop_size' " + sizeText(side.cropWidth, side.cropHeight)
                    + " is not square; the app's models take square inputs");
    if (side.doResize && side.resizeShortest > 0) {
        if (!side.doCenterCrop || side.cropHeight <= 0)
            throw Error("'" + file + "': 'size' gives a shortest edge without a centre crop ('do_center_crop', 'crop_size'): "
                        "the input would not be square");
        if (side.cropHeight > side.resizeShortest)
            throw Error("'" + file + "': 'crop_size' " + std::to_string(side.cropHeight) + " is larger than the shortest edge "
                        + std::to_string(side.resizeShortest));
        p.cropFraction = static_cast<double>(side.cropHeight) / side.resizeShortest;
    } else if (side.doResize && side.resizeHeight > 0) {
        if (side.resizeHeight != side.resizeWidth)
            throw Error("'" + file + "': 'size' " + sizeText(side.resizeWidth, side.resizeHeight)
                        + " is not square; the app's models take square inputs");
        p.exactResize = true;
        if (side.doCenterCrop && side.cropHeight > 0) {
            if (side.cropHeight > side.resizeHeight)
                throw Error("'" + file + "': 'crop_size' " + std::to_string(side.cropHeight) + " is larger than 'size' "
                            + std::to_string(side.resizeHeight));
            p.cropFraction = static_cast<double>(side.cropHeight) / side.resizeHeight;
        }
    }
    p.origin = file;
    p.fromSideFiles = true;
}

} // namespace

Preprocessing preprocessingFromSideFiles(const SideFiles& side)
{
    Preprocessing p;
    if (side.kind == SideFiles::Kind::Timm && !side.preprocessorPath.empty())
        throw Error("'" + side.preprocessorPath + "' is transformers' but '" + side.configPath
                    + "' is timm's: contradictory side files, remove the one that does not belong to the weights");
    if (side.kind == SideFiles::Kind::Timm)
        fromTimm(side, p);
    else if (!side.preprocessorPath.empty())
        fromPreprocessor(side, p);
    return p;
}

ModelDescription describeCheckpoint(const std::string& path, const SideFiles& side, const VitCheckpointInfo& info)
{
    ModelDescription d;
    d.file = path;
    if (!side.configPath.empty())
        d.sideFiles.push_back(side.configPath);
    if (!side.preprocessorPath.empty())
        d.sideFiles.push_back(side.preprocessorPath);
    d.origins = info.origins;
    d.preprocessing = preprocessingFromSideFiles(side);
    const int classes = info.config.numClasses;
    if (!side.id2label.empty() && static_cast<int>(side.id2label.size()) == classes) {
        d.classNames = side.id2label;
        d.classNamesFrom = "id2label in " + side.configPath;
    } else if (classes == static_cast<int>(imagenetClassNames().size())) {
        d.classNames = imagenetClassNames();
        d.classNamesFrom = "ImageNet-1k (1000 outputs)";
    }
    return d;
}

} // namespace ts
