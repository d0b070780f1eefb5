#pragma once
// The torch side of a VitModelPtr, for core code that runs the network (ToMe, FIT, FAM).
#include "core/vit/vit_api.h"
#include "core/vit/vit_model.h"

namespace ts {

struct VitModel {
    ModelSource source;
    VisionTransformer net{nullptr}; // eval mode; use under c10::InferenceMode
};

} // namespace ts
