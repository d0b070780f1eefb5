#pragma once
// The source map the ToMe effective mask (core/masks/tome_mask.h) is drawn from: ToMe run on an
// image with a constant r, and which merged token holds every patch after one block. One
// function for `tokenscope mask --kind tome` and the mask lab (which calls it off the GUI
// thread). Torch-free header.
#include "core/tome/tome_api.h"

#include <vector>

namespace ts {

struct ToMeSourceMap {
    std::vector<int> tokenOfPatch; // [patch] -> token (>= 1; the class token is 0)
    int layer = 0;                 // the block after which it was taken
};

// Runs `request` (its schedule and image as given; no plain pass) and takes the map after block
// `layer` (-1: the last). Throws ts::Error for a layer outside 0..depth, ts::Cancelled.
ToMeSourceMap runToMeSourceMap(ToMeRequest request, int layer, const RunControl& control = {});

} // namespace ts
