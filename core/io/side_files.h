#pragma once
// The files a model hub publishes beside the weights, read when they sit in the checkpoint's
// folder: timm's config.json (architecture, num_classes, pretrained_cfg with mean, std,
// input_size, crop_pct, interpolation) or transformers' config.json (model_type, hidden_size,
// num_hidden_layers, num_attention_heads, intermediate_size, patch_size, image_size,
// layer_norm_eps, hidden_act, id2label, num_register_tokens) with preprocessor_config.json
// (image_mean, image_std, size, crop_size, do_resize, do_center_crop, resample). Every value is
// checked for its type and range; a malformed file is refused naming the file and the key.
// Torch-free.
#include <string>
#include <vector>

namespace ts {

struct SideFiles {
    enum class Kind { None, Timm, Transformers };
    Kind kind = Kind::None;
    std::string configPath;       // empty when there is no config.json
    std::string preprocessorPath; // empty when there is no preprocessor_config.json

    // timm's config.json
    std::string architecture;     // e.g. "vit_small_patch14_reg4_dinov2"
    int numClasses = -1;          // -1: not given
    std::vector<double> mean, std; // 3 values each, empty when not given
    int inputHeight = 0, inputWidth = 0; // pretrained_cfg input_size [3, H, W]
    double cropPct = 0;           // 0: not given
    std::string interpolation;    // "bicubic", "bilinear" (empty: not given)

    // transformers' config.json
    std::string modelType;        // "vit", "deit", "dinov2", "dinov2_with_registers"
    int hiddenSize = -1, numLayers = -1, numHeads = -1, intermediateSize = -1, patchSize = -1, imageSize = -1;
    int numRegisters = -1;
    double layerNormEps = 0;      // 0: not given
    std::string hiddenAct;
    std::vector<std::string> id2label; // index -> name; empty when not given

    // transformers' preprocessor_config.json
    std::vector<double> imageMean, imageStd;
    bool doResize = true, doCenterCrop = false;
    int resizeShortest = 0;              // size {"shortest_edge": S}
    int resizeHeight = 0, resizeWidth = 0; // size {"height": H, "width": W} (or a bare number)
    int cropHeight = 0, cropWidth = 0;   // crop_size
    int resample = -1;                   // PIL code: 2 bilinear, 3 bicubic
};

// The folder of `checkpointPath` searched for config.json and preprocessor_config.json.
// Throws ts::Error for an unreadable or malformed side file.
SideFiles readSideFiles(const std::string& checkpointPath);
// The same from the texts (empty: absent), the names used in messages.
SideFiles parseSideFiles(const std::string& configText, const std::string& configName,
                         const std::string& preprocessorText, const std::string& preprocessorName);

// A checkpoint given as a folder: its model.safetensors. A file path is returned as it is.
// Throws ts::Error when a folder holds no model.safetensors.
std::string resolveCheckpointPath(const std::string& path);

} // namespace ts
