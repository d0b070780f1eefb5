#pragma once
// FIT as the GUI and the command line use it: a request in, sizes, timings, memory and the
// recorded attention weights out. Torch-free.
#include "core/fit/fit_config.h"
#include "core/fit/fit_memory.h"
#include "core/fit/grouping.h"
#include "core/fit/layer_pattern.h"
#include "core/io/image_io.h"
#include "core/util/run_control.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ts {

struct FitRecordRequest {
    bool enabled = false;
    std::vector<int> blocks; // block indices (0-based); empty: every block
    int group = -1;          // only this group's weights; -1: every group
};

struct FitRequest {
    cv::Mat imageRgb;          // CV_8UC3 RGB, any size; empty: a seeded noise image of size x size
    int size = 0;              // > 0: resize + centre-crop to size x size px; 0: the image as it is,
                               // cropped to whole patches
    FitConfig config;
    std::uint64_t seed = 0;    // random weights (and the noise image)
    // A FIT checkpoint (architecture from the file; group size, latents and pattern must match
    // the config), or a timm ViT checkpoint whose blocks initialise the local layers (the rest
    // stays seeded random). Empty: random weights.
    std::string checkpoint;
    std::string saveCheckpointTo; // when set, the model's weights are written there
    FitRecordRequest record;
    Normalisation normalisation;
    // false: a ViT checkpoint's side files (timm's pretrained_cfg, transformers'
    // preprocessor_config.json) give the mean and std, as for ToMe and FAM; true: `normalisation`
    // was asked for (--mean/--std) and wins. Their resize and crop do not apply: FIT takes the
    // image at its own size on its own patch grid.
    bool normalisationGiven = false;
    // Data tokens processed at once (memory vs speed). 4096 ViT-S tokens are about 15 GFLOP per
    // local layer: well under a second here, so cancel stays prompt.
    int chunkTokens = 4096;
    std::int64_t memoryLimitBytes = 0; // refuse runs estimated above this; 0: available memory
};

// Weights recorded for one FIT block.
struct FitBlockWeights {
    int block = 0;
    std::vector<int> groups;  // the groups recorded (rows of the arrays below)
    int heads = 0;            // cross-attention heads
    std::vector<float> read;  // [groups, heads, m, n]: latent s of the group over its n patches
    // Per global layer: [groups, t] group-level attention (mean over heads and over the query
    // group's latents of the total weight on each group's latents; rows sum to 1).
    std::vector<std::vector<float>> global;
};

struct FitResult {
    FitConfig config;          // as run (a FIT checkpoint's architecture)
    LayerPattern pattern;
    std::vector<std::string> layerKinds; // "local", "read", "global", "write" in execution order
    Grouping grouping;
    cv::Mat input;             // the image the model saw: gridRows*p x gridCols*p, RGB
    std::string weights;       // "random(seed)", the FIT checkpoint, or "vit:<file> + random(seed)"
    Normalisation normalisation;   // the mean and std the image was normalised with
    std::string normalisationOrigin; // "as asked" or the side file that gave them
    double seconds = 0;        // embedding + all blocks
    double buildSeconds = 0;   // making / loading the weights
    std::int64_t peakMemoryBytes = 0;      // measured tensor peak of the run (weights included)
    std::int64_t estimatedMemoryBytes = 0; // the estimate made before the run
    std::int64_t memoryLimitBytes = 0;
    std::string peakStage;                 // where the estimate expects the peak
    std::vector<FitBlockWeights> recorded; // blocks with recorded weights
    std::vector<float> latentNorms;        // [t*m] L2 norm of each final latent (a run summary)

    int groups() const { return grouping.groups(); }
    int tokensPerGroup() const { return grouping.tokensPerGroup(); }
    int latentsPerGroup() const { return config.latentsPerGroup; }
    const FitBlockWeights* recordedBlock(int block) const;
};

// The patch grid a request will run on (after resizing / cropping), without running anything.
Grouping fitGroupingFor(const FitRequest& request);
// The peak-memory estimate for a request (throws ts::Error for impossible configurations).
MemoryEstimate estimateFitRun(const FitRequest& request);

// Runs FIT under inference mode. Refuses (ts::Error with estimate and limit) runs that would not
// fit in memory; throws ts::Error for impossible configurations and ts::Cancelled.
FitResult runFit(const FitRequest& request, const RunControl& control = {});

// Overlays from recorded weights. Each returns an empty vector when that block / group was not
// recorded or the block has no global layers.
// The chosen group's latent-read weights over its window: [rows * cols] of the clipped window
// (raster), averaged over heads and, when latent < 0, over the group's latents.
std::vector<float> fitReadHeatmap(const FitResult& result, int block, int group, int latent = -1);
// How much the chosen group's latents attend to each group ([t]), averaged over the block's
// global layers.
std::vector<float> fitGlobalHeatmap(const FitResult& result, int block, int group);

} // namespace ts
