#include "core/fit/fit_checkpoint.h"

#include "core/util/error.h"
#include "core/util/printable.h"
#include "core/vit/vit_checkpoint.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace ts {
namespace {

void copyInto(torch::Tensor target, const SafetensorsFile& file, const std::string& key, const std::string& targetName)
{
    auto it = file.entries.find(key);
    if (it == file.entries.end())
        throw Error("checkpoint '" + file.path + "': missing key '" + key + "', expected shape " + shapeText(target.sizes().vec()));
    std::vector<float> values = file.floats(key);
    torch::Tensor source = torch::from_blob(values.data(), it->second.shape, torch::kFloat32);
    if (source.sizes() != target.sizes())
        throw Error("checkpoint '" + file.path + "': '" + key + "' has shape " + shapeText(source.sizes().vec()) + ", '"
                    + targetName + "' needs " + shapeText(target.sizes().vec()));
    torch::NoGradGuard noGrad;
    target.copy_(source);
}

} // namespace

bool isFitCheckpoint(const SafetensorsFile& file)
{
    auto it = file.metadata.find("format");
    return it != file.metadata.end() && it->second == "tokenscope-fit";
}

FitConfig fitConfigFromCheckpoint(const SafetensorsFile& file, int* gridRows, int* gridCols)
{
    auto it = file.metadata.find("fit_config");
    if (!isFitCheckpoint(file) || it == file.metadata.end())
        throw Error("checkpoint '" + file.path + "': not a FIT checkpoint (no tokenscope-fit metadata)");
    FitConfig c;
    try {
        const nlohmann::json j = nlohmann::json::parse(it->second);
        c.patchSize = j.at("patch_size").get<int>();
        c.dataWidth = j.at("data_width").get<int>();
        c.heads = j.at("heads").get<int>();
        c.latentWidth = j.at("latent_width").get<int>();
        c.latentHeads = j.at("latent_heads").get<int>();
        c.mlpRatio = j.at("mlp_ratio").get<int>();
        c.groupSize = j.at("group_size").get<int>();
        c.latentsPerGroup = j.at("latents_per_group").get<int>();
        c.pattern = j.at("pattern").get<std::string>();
        c.autoregressive = j.at("autoregressive").get<bool>();
        if (gridRows)
            *gridRows = j.at("grid_rows").get<int>();
        if (gridCols)
            *gridCols = j.at("grid_cols").get<int>();
    } catch (const nlohmann::json::exception& e) {
        throw Error("checkpoint '" + file.path + "': bad fit_config metadata (" + e.what() + ")");
    }
    try {
        c.validate();
    } catch (const Error& e) {
        throw Error("checkpoint '" + file.path + "': " + e.what());
    }
    return c;
}

void saveFitCheckpoint(const FitModelImpl& model, const std::string& path)
{
    std::map<std::string, TensorToWrite> tensors;
    std::vector<torch::Tensor> keepAlive;
    for (const auto& item : model.named_parameters(/*recurse=*/true)) {
        torch::Tensor t = item.value().detach().contiguous().to(torch::kFloat32);
        keepAlive.push_back(t);
        tensors[item.key()] = TensorToWrite{t.sizes().vec(), t.data_ptr<float>()};
    }
    const FitConfig& c = model.config;
    const nlohmann::json config = {{"patch_size", c.patchSize},       {"data_width", c.dataWidth},
                                   {"heads", c.heads},                {"latent_width", c.latentWidth},
                                   {"latent_heads", c.latentHeads},   {"mlp_ratio", c.mlpRatio},
                                   {"group_size", c.groupSize},       {"latents_per_group", c.latentsPerGroup},
                                   {"pattern", model.pattern.text()}, {"autoregressive", c.autoregressive},
                                   {"grid_rows", model.grouping.gridRows()}, {"grid_cols", model.grouping.gridCols()}};
    writeSafetensors(path, tensors, {{"format", "tokenscope-fit"}, {"fit_config", config.dump()}});
}

void loadFitWeights(FitModelImpl& model, const SafetensorsFile& file)
{
    auto params = model.named_parameters(/*recurse=*/true);
    for (const auto& [key, entry] : file.entries)
        if (!params.contains(key))
            throw Error("checkpoint '" + file.path + "': unexpected key " + quotedForMessage(key) + " (not part of this FIT model)");
    for (auto& item : params)
        copyInto(item.value(), file, item.key(), item.key());
}

int initialiseFromVit(FitModelImpl& model, const SafetensorsFile& vit)
{
    const VitConfig vc = inferVitConfig(vit);
    const FitConfig& c = model.config;
    if (vc.width != c.dataWidth || vc.patchSize != c.patchSize || vc.mlpHidden != c.mlpRatio * c.dataWidth)
        throw Error("checkpoint '" + vit.path + "': ViT width " + std::to_string(vc.width) + ", patch "
                    + std::to_string(vc.patchSize) + ", MLP " + std::to_string(vc.mlpHidden) + " do not match FIT's data width "
                    + std::to_string(c.dataWidth) + ", patch " + std::to_string(c.patchSize) + ", MLP "
                    + std::to_string(c.mlpRatio * c.dataWidth));
    const int locals = model.pattern.localLayers();
    if (locals > vc.depth)
        throw Error("checkpoint '" + vit.path + "': FIT has " + std::to_string(locals) + " local layers, the ViT only "
                    + std::to_string(vc.depth) + " blocks");
    int used = 0;
    for (int i = 0; i < static_cast<int>(model.pattern.blocks.size()); ++i) {
        FitBlock block = model.block(i);
        for (int j = 0; j < block->spec.local; ++j, ++used) {
            const std::string prefix = "blocks." + std::to_string(used) + ".";
            for (auto& item : block->localLayer(j)->named_parameters(/*recurse=*/true))
                copyInto(item.value(), vit, prefix + item.key(),
                         "blocks." + std::to_string(i) + ".local." + std::to_string(j) + "." + item.key());
        }
    }
    copyInto(model.patch_embed->proj->weight, vit, "patch_embed.proj.weight", "patch_embed.proj.weight");
    copyInto(model.patch_embed->proj->bias, vit, "patch_embed.proj.bias", "patch_embed.proj.bias");
    // The ViT's position table covers its whole training grid; squeezed to one g x g window it gives
    // each group the layout of a small image, which is what the local layers see.
    auto it = vit.entries.find("pos_embed");
    if (it != vit.entries.end() && it->second.shape.size() == 3) {
        std::vector<float> values = vit.floats("pos_embed");
        torch::Tensor pos = torch::from_blob(values.data(), it->second.shape, torch::kFloat32).clone();
        const auto patches = pos.size(1);
        const int prefix = patches == static_cast<std::int64_t>(vc.numPatches()) ? 0 : 1; // class token
        torch::Tensor resampled = resamplePositionEmbedding(pos, c.groupSize, prefix).narrow(1, prefix, c.groupSize * c.groupSize);
        torch::NoGradGuard noGrad;
        model.pos_embed.copy_(resampled);
    }
    return used;
}

} // namespace ts
