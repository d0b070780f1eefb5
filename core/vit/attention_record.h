#pragma once
// Where a ViT's attention goes, recorded only when asked for: the attention weights of one block
// (one head or the mean over heads) and, for rollout, of every block, through a forward pass with
// or without token reduction (any method of core/reduction/reduction_method.h, through the same
// block loop as the ToMe lab's run, core/tome/tome_forward.h). A merged token's weight is spread
// over the original patches it holds, so maps are always drawn on the image's own patch grid.
//
// Rollout (Abnar & Zuidema, "Quantifying Attention Flow in Transformers", ACL 2020): each block's
// head-mean attention with the residual added, 0.5 A + 0.5 I, rows renormalised, multiplied over
// the blocks. With merging, a merge step between two blocks maps the old tokens to the new ones:
// a new token is the size-weighted average of the old tokens it holds (merge_wavg), so the
// composition goes through that row-stochastic matrix and every rollout row still sums to one.
// Torch-free API.
#include "core/reduction/reduction_method.h"
#include "core/tome/tome_schedule.h"
#include "core/util/run_control.h"
#include "core/vit/vit_api.h"

#include <opencv2/core.hpp>

#include <vector>

namespace ts {

struct AttentionRequest {
    VitModelPtr model;
    cv::Mat imageRgb;
    Normalisation normalisation;
    bool normalisationGiven = false; // as ToMeRequest: else a checkpoint's side files decide
    ToMeSchedule schedule = ToMeSchedule::constant(0);
    ReductionOptions reduction;      // the method (ToMe by default); its keep ratio or rate may set r
    bool proportionalAttention = true;
    int block = 0;                   // 0-based block whose attention is shown
    int head = -1;                   // -1: the mean over heads
    bool rollout = false;
};

struct AttentionResult {
    VitConfig config;
    cv::Mat crop;
    int grid = 0, block = 0, head = -1, tokens = 0; // tokens in the shown block
    bool merged = false;                 // tokens had merged before the shown block
    bool rolloutMerged = false;          // with rollout: tokens merged in any block
    // The class token's attention in the shown block spread over the original patches (raster
    // order); with merging, a token's weight is shared equally by the patches it holds.
    std::vector<float> classToPatches;
    // Each prefix token's attention row (class, distillation, registers) over the patches, and
    // the weight every prefix token gives the prefix tokens themselves ([p][p]).
    std::vector<std::vector<float>> prefixToPatches, prefixToPrefix;
    std::vector<float> rolloutToPatches; // with rollout: the class token's rollout row over the patches
    std::vector<float> rolloutToPrefix;  // and over the prefix tokens (the rest of that row)
};

// Refuses before allocating when the recorded attention would not fit (the blocks' [H, N, N]
// weights for rollout). Throws ts::Error or ts::Cancelled.
AttentionResult runAttention(const AttentionRequest& request, const RunControl& control = {});

} // namespace ts
