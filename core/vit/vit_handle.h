#pragma once
// The torch side of a VitModelPtr, for core code that runs the network (ToMe, FIT, FAM).
#include "core/vit/vit_api.h"
#include "core/vit/vit_model.h"

#include <atomic>

namespace ts {

struct VitModel {
    ModelSource source;
    VisionTransformer net{nullptr}; // eval mode; use under c10::InferenceMode
    ModelDescription description;
    // Set after the first forward pass on this model: the first pass pays one-off costs
    // (allocator, thread pool start-up) that timings must not include.
    mutable std::atomic<bool> warmedUp{false};
};

} // namespace ts
