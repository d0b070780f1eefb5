#include "core/vit/vit_api.h"

#include "core/io/safetensors.h"
#include "core/io/side_files.h"
#include "core/vit/checkpoint_side_files.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "core/util/memory_tracker.h"
#include "core/vit/vit_checkpoint.h"
#include "core/vit/vit_handle.h"

#include <c10/core/InferenceMode.h>

#include <mutex>
#include <sstream>

namespace ts {

namespace detail {
extern const char* const kImagenetClassesText;
}

std::string ModelSource::weightsLabel() const
{
    return isRandom() ? "random(" + std::to_string(seed) + ")" : checkpoint;
}

const VitConfig& vitConfigOf(const VitModel& model) { return model.net->config; }
const ModelSource& vitSourceOf(const VitModel& model) { return model.source; }
const ModelDescription& vitDescriptionOf(const VitModel& model) { return model.description; }

namespace {

void checkFitsInMemory(const VitConfig& config)
{
    const double bytes = config.parameterCount() * 4.0;
    const double available = static_cast<double>(availableMemoryBytes());
    // Weights plus headroom for activations and a checkpoint copy being read.
    if (available > 0 && bytes * 2.5 > available) {
        std::ostringstream msg;
        msg.precision(3);
        msg << "model: " << vitDisplayName(config) << " needs about " << bytes * 2.5 / (1 << 30)
            << " GiB to load, only " << available / (1 << 30) << " GiB available";
        throw Error(msg.str());
    }
}

// Fills the model from the file through the layout (timm keys -> the file's own tensors).
void loadWeights(VisionTransformer& net, const SafetensorsFile& file, const CheckpointLayout& layout,
                 const VitCheckpointInfo& info, const RunControl* control)
{
    torch::NoGradGuard noGrad;
    auto params = net->named_parameters(/*recurse=*/true);
    for (const auto& [key, entry] : layout.entries) {
        if (!params.contains(key))
            throw Error("checkpoint '" + file.path + "': unexpected key " + quotedForMessage(layout.fileKey(key))
                        + " (not part of a " + layout.format + " ViT of this shape)");
    }
    const VitConfig& c = net->config;
    for (auto& item : params) {
        if (control)
            control->throwIfCancelled();
        const std::string& key = item.key();
        torch::Tensor target = item.value();
        auto it = layout.entries.find(key);
        if (it == layout.entries.end())
            throw Error("checkpoint '" + file.path + "': missing key '" + key + "', expected shape "
                        + shapeText(target.sizes().vec()));
        std::vector<float> values = layoutFloats(file, layout, key);
        torch::Tensor source = torch::from_blob(values.data(), it->second.shape, torch::kFloat32);
        if (key == "pos_embed" && source.sizes() != target.sizes() && source.dim() == 3 && source.size(2) == target.size(2)) {
            // timm resample_abs_pos_embed (bicubic, antialiased) from the stored grid to the model's
            source = resamplePositionGrid(source, info.posRows, info.posCols, c.gridSize(), c.gridSize(), c.positionPrefix);
        }
        if (source.sizes() != target.sizes())
            throw Error("checkpoint '" + file.path + "': '" + layout.fileKey(key) + "' has shape "
                        + shapeText(source.sizes().vec()) + ", expected " + shapeText(target.sizes().vec()));
        target.copy_(source);
    }
}

void buildFromCheckpoint(VitModel& model, const ModelSource& source, const RunControl* control)
{
    const std::string path = resolveCheckpointPath(source.checkpoint);
    const SideFiles side = readSideFiles(path);
    SafetensorsFile file = readSafetensors(path);
    if (control)
        control->throwIfCancelled();
    const CheckpointLayout layout = detectLayout(file);
    const VitCheckpointInfo info = inspectVitCheckpoint(layout, file.metadata, side);
    VitConfig config = info.config;
    config.imageSize = source.imageSize > 0 ? source.imageSize : config.imageSize;
    config.validate();
    checkFitsInMemory(config);
    model.net = VisionTransformer(config);
    loadWeights(model.net, file, layout, info, control);
    model.description = describeCheckpoint(path, side, info);
}

} // namespace

VitModelPtr buildVit(const ModelSource& source, const RunControl* control)
{
    auto model = std::make_shared<VitModel>();
    model->source = source;
    try {
        if (source.isRandom()) {
            VitConfig config = vitPreset(source.preset);
            config.imageSize = source.imageSize;
            config.validate();
            checkFitsInMemory(config);
            model->net = VisionTransformer(config);
            model->net->initialiseRandom(source.seed, control);
            if (config.numClasses == static_cast<int>(imagenetClassNames().size())) {
                model->description.classNames = imagenetClassNames();
                model->description.classNamesFrom = "ImageNet-1k";
            }
        } else {
            buildFromCheckpoint(*model, source, control);
        }
    } catch (const c10::Error& e) {
        throw Error(std::string("model: ") + e.what_without_backtrace());
    }
    model->net->eval();
    return model;
}

std::string describeModel(const VitModel& model)
{
    const VitConfig& c = model.net->config;
    const ModelDescription& d = model.description;
    std::ostringstream s;
    s << c.family << " (" << c.format << " layout)\n";
    s << c.prefixTokens() << " prefix token(s):" << (c.classToken ? " class" : "") << (c.distillationToken ? " distillation" : "");
    if (c.registers > 0)
        s << " " << c.registers << " registers";
    s << "\npatch " << c.patchSize << ", input " << c.imageSize << " px, " << c.depth << " blocks, width " << c.width << ", "
      << c.heads << " heads" << (c.layerScale ? ", LayerScale" : "") << (c.normPre ? ", norm_pre" : "")
      << (c.pool == VitPool::Token ? "" : c.pool == VitPool::Average ? ", average pooling" : ", class token + patch mean")
      << (c.fcNorm ? " with fc_norm" : "") << ", LayerNorm eps " << c.normEps << "\n";
    if (c.numClasses > 0)
        s << c.numClasses << " classes" << (d.classNamesFrom.empty() ? " (no names)" : ", names: " + d.classNamesFrom) << "\n";
    else
        s << "no head: the output is the pooled feature\n";
    s << "preprocessing: " << d.preprocessing.describe() << " (" << d.preprocessing.origin << ")";
    for (const std::string& f : d.sideFiles)
        s << "\nside file: " << f;
    for (const std::string& o : d.origins)
        s << "\n" << o;
    return s.str();
}

bool operator==(const ModelSource& a, const ModelSource& b)
{
    if (a.imageSize != b.imageSize || a.checkpoint != b.checkpoint)
        return false;
    return a.isRandom() ? a.preset == b.preset && a.seed == b.seed : true;
}

VitModelPtr cachedVit(const ModelSource& source, const RunControl* control)
{
    static std::mutex mutex;
    static VitModelPtr last;
    std::lock_guard<std::mutex> lock(mutex);
    if (!last || !(last->source == source)) {
        last.reset(); // free the old weights before building the new ones
        last = buildVit(source, control); // a cancelled build leaves nothing cached
    }
    return last;
}

void saveVitCheckpoint(const VitModel& model, const std::string& path)
{
    std::map<std::string, TensorToWrite> tensors;
    std::vector<torch::Tensor> keepAlive;
    for (const auto& item : model.net->named_parameters(/*recurse=*/true)) {
        torch::Tensor t = item.value().detach().contiguous().to(torch::kFloat32);
        keepAlive.push_back(t);
        tensors[item.key()] = TensorToWrite{t.sizes().vec(), t.data_ptr<float>()};
    }
    const VitConfig& c = model.net->config;
    writeSafetensors(path, tensors,
                     {{"format", "pt"},
                      {"num_heads", std::to_string(c.heads)},
                      {"producer", "TokenScope"},
                      {"weights", model.source.weightsLabel()}});
}

const std::vector<std::string>& imagenetClassNames()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        std::istringstream in(detail::kImagenetClassesText);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty())
                out.push_back(line.substr(0, line.find(',')));
        }
        return out;
    }();
    return names;
}

} // namespace ts
