#pragma once
// The ViT as the UI and the command line see it: where weights come from and an opaque,
// shareable handle to a built model. No torch in this header.
#include "core/io/preprocessing.h"
#include "core/util/run_control.h"
#include "core/vit/vit_config.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ts {

struct ModelSource {
    std::string preset = "vit-s16"; // used when no checkpoint is given
    int imageSize = 224;            // input size; a checkpoint's pos_embed is resampled to it
    std::uint64_t seed = 0;         // seeded random initialisation
    std::string checkpoint;         // .safetensors file or a folder holding model.safetensors; empty: random weights

    bool isRandom() const { return checkpoint.empty(); }
    // "random(seed)" or the checkpoint path: the label every export carries.
    std::string weightsLabel() const;
};

struct VitModel; // defined in core/vit/vit_handle.h (torch)
using VitModelPtr = std::shared_ptr<const VitModel>;

// Builds (random) or loads (checkpoint) a ViT. Throws ts::Error with a one-line message.
// Refuses, with the numbers, a model whose weights would not fit in available memory.
// With a `control`, a cancel stops the build between two weight tensors (ts::Cancelled): a
// large model takes seconds to initialise or load, longer than a cancel may wait.
VitModelPtr buildVit(const ModelSource& source, const RunControl* control = nullptr);
// As buildVit, but reuses the last model built for an equal source (switching views or
// changing ToMe's r must not rebuild or reload the weights). Thread-safe.
VitModelPtr cachedVit(const ModelSource& source, const RunControl* control = nullptr);
bool operator==(const ModelSource& a, const ModelSource& b);
const VitConfig& vitConfigOf(const VitModel& model);
const ModelSource& vitSourceOf(const VitModel& model);

// What was detected in a checkpoint and where each part came from, for the UI and exports.
struct ModelDescription {
    std::string file;                      // the .safetensors read ("" for random weights)
    std::vector<std::string> sideFiles;    // config.json / preprocessor_config.json used
    std::vector<std::string> origins;      // "heads: config.json", "position grid 14 x 28: ...", ...
    Preprocessing preprocessing;           // from the side files, else the defaults
    std::vector<std::string> classNames;   // id2label, else ImageNet's for 1000 outputs, else empty
    std::string classNamesFrom;            // "id2label in config.json", "ImageNet-1k", ""
};
const ModelDescription& vitDescriptionOf(const VitModel& model);
// What was detected, one fact a line: family and format, prefix tokens, patch and input size,
// classes and their names' origin, preprocessing and its origin, the side files, and where each
// inferred value came from.
std::string describeModel(const VitModel& model);

// Writes the model's weights as a timm-named .safetensors file.
void saveVitCheckpoint(const VitModel& model, const std::string& path);

// ImageNet-1k class names (index -> "tench"), from the bundled list.
const std::vector<std::string>& imagenetClassNames();

struct ClassScore {
    int index = 0;
    std::string name;
    double probability = 0;
};

} // namespace ts
