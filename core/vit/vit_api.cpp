#include "core/vit/vit_api.h"

#include "core/io/safetensors.h"
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

void loadWeights(VisionTransformer& net, const SafetensorsFile& file, const RunControl* control)
{
    torch::NoGradGuard noGrad;
    auto params = net->named_parameters(/*recurse=*/true);
    for (const auto& [key, entry] : file.entries) {
        if (!params.contains(key))
            throw Error("checkpoint '" + file.path + "': unexpected key " + quotedForMessage(key) + " (not part of a timm ViT of this shape)");
    }
    for (auto& item : params) {
        if (control)
            control->throwIfCancelled();
        const std::string& key = item.key();
        torch::Tensor target = item.value();
        auto it = file.entries.find(key);
        if (it == file.entries.end())
            throw Error("checkpoint '" + file.path + "': missing key '" + key + "', expected shape "
                        + shapeText(target.sizes().vec()));
        std::vector<float> values = file.floats(key);
        torch::Tensor source = torch::from_blob(values.data(), it->second.shape, torch::kFloat32);
        if (key == "pos_embed" && source.sizes() != target.sizes() && source.dim() == 3
            && source.size(2) == target.size(2)) {
            source = resamplePositionEmbedding(source, net->config.gridSize()); // timm: bicubic resample
        }
        if (source.sizes() != target.sizes())
            throw Error("checkpoint '" + file.path + "': '" + key + "' has shape " + shapeText(source.sizes().vec())
                        + ", expected " + shapeText(target.sizes().vec()));
        target.copy_(source);
    }
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
        } else {
            SafetensorsFile file = readSafetensors(source.checkpoint);
            if (control)
                control->throwIfCancelled();
            VitConfig config = inferVitConfig(file);
            config.imageSize = source.imageSize > 0 ? source.imageSize : config.imageSize;
            config.validate();
            checkFitsInMemory(config);
            model->net = VisionTransformer(config);
            loadWeights(model->net, file, control);
        }
    } catch (const c10::Error& e) {
        throw Error(std::string("model: ") + e.what_without_backtrace());
    }
    model->net->eval();
    return model;
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
