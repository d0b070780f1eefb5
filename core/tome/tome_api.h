#pragma once
// ToMe as the GUI and the command line use it: one request in, every layer's merge state out.
// The same run serves the other token-reduction methods (PiToMe, ATC, EViT;
// core/reduction/reduction_method.h): one forward pass, one result, the same source tracking.
// Torch-free.
#include "core/io/image_io.h"
#include "core/nn/flop_counter.h"
#include "core/reduction/reduction_method.h"
#include "core/tome/tome_schedule.h"
#include "core/util/run_control.h"
#include "core/vit/vit_api.h"

#include <cstdint>
#include <vector>

namespace ts {

struct ToMeRequest {
    VitModelPtr model;           // built with buildVit()
    cv::Mat imageRgb;            // any size; centre-cropped to the model's input size
    Normalisation normalisation; // ImageNet by default
    // false: a checkpoint's side files' mean and std replace `normalisation` (the resize, crop and
    // filter always follow them); true: `normalisation` was asked for (--mean/--std) and wins.
    bool normalisationGiven = false;
    ToMeSchedule schedule;
    ReductionOptions reduction;  // the method (ToMe by default) and its own parameters
    // Applied only where the method's paper uses it (usesProportionalAttention).
    bool proportionalAttention = true;
    bool measurePlain = true;    // also time the forward pass without merging
    int batch = 1;               // the image repeated (for timing); the result describes item 0
    bool recordSources = true;   // track which patches each token holds (off for benchmarks)
};

struct ToMeResult {
    VitConfig config;
    std::string weights;           // "random(seed)" or the checkpoint path
    ReductionMethod method = ReductionMethod::ToMe;
    std::string scheduleText;
    bool proportionalAttention = true; // as applied
    cv::Mat crop;                  // the model's input (RGB, imageSize x imageSize)
    cv::Rect2d cropRect;           // where the crop lies in the original image
    int grid = 0;                  // patches per side

    std::vector<int> rRequested;   // per block, from the schedule
    std::vector<int> rApplied;     // per block, after clamping
    // Index 0 is the input (before block 1); index k the state after block k (k = 1..depth).
    std::vector<int> tokens;                   // token count, every prefix token included
    // Only with recordSources:
    std::vector<std::vector<int>> tokenOfPatch; // [k][patch] -> token index (>= prefix) holding it
    std::vector<std::vector<int>> sizes;        // [k][token] -> original tokens it holds (prefix tokens: 1)

    std::vector<ClassScore> top5;  // when the model has a classifier head
    std::vector<float> output;     // item 0's final vector: logits, or the pooled feature without a head
    double secondsMerged = 0;      // forward pass with merging
    double secondsPlain = 0;       // forward pass without merging (0 when not measured)
    std::vector<double> secondsReduction; // per block: the method's selection and merge step, within secondsMerged
    FlopTally flopsMerged, flopsPlain;
    // Per block (depth entries): the matmul FLOPs counted in that block, with the method's
    // reduction and without (flopsPerBlockPlain empty when the plain pass was not run).
    std::vector<double> flopsPerBlockMerged, flopsPerBlockPlain;
    double flopsAnalytic = 0;      // the analytic count of the reduced pass (core/flops/flop_model.h)

    int depth() const { return config.depth; }
};

// Runs the model with the request's method (and, when asked, without) under inference mode.
// Throws ts::Error or ts::Cancelled.
ToMeResult runToMe(const ToMeRequest& request, const RunControl& control = {});

// Lineage of a merged region: for the token that holds `patch` after block `layer`, the block
// after which each patch joined `patch`'s token (0 = `patch` itself, k = after block k),
// or -1 for patches outside that token.
std::vector<int> joinLayers(const ToMeResult& result, int layer, int patch);

} // namespace ts
