#pragma once
// The blocks of a ViT with a token reduction between attention and MLP in each (where the
// authors' ToMeBlock merges; PiToMe, ATC and EViT reduce at the same place), over tokens already
// embedded: the one block loop behind runToMe (core/tome/tome_api.h) and the FLOP lab's measured
// passes (core/flops/flop_measure.h), so what the FLOP lab measures is what the ToMe lab runs.
// Proportional attention (Bolya et al. 2023, Sec. 3, Eq. 1): log(size) added to the attention
// logits once tokens have merged. Torch; include from core .cpp files only.
#include "core/reduction/reduction_method.h"
#include "core/util/run_control.h"
#include "core/vit/vit_model.h"

#include <torch/torch.h>

#include <vector>

namespace ts {

// What a recorded run keeps of image 0 per state (input, then after each block).
struct MergeTrace {
    std::vector<std::vector<int>> tokenOf; // per state: [N0] the token holding each original token
    std::vector<torch::Tensor> size;       // per state: [N]
};

struct ReducingPass {
    const std::vector<int>* perLayer = nullptr; // r per block (depth entries)
    ReductionOptions reduction;
    bool proportional = true;
    MergeTrace* trace = nullptr;                // image 0's sources, when given
    const RunControl* control = nullptr;        // cancel between blocks, progress after each
    int stepOffset = 0, totalSteps = 0;         // progress: block i is step stepOffset + i + 1 of totalSteps
    std::vector<double>* reductionSeconds = nullptr; // per block: the reduction step's seconds
    std::vector<double>* blockFlops = nullptr;       // appended per block: its matmul FLOPs (counted)
};

struct ReducedTokens {
    torch::Tensor x;    // [B, N', C] after the last block
    torch::Tensor size; // [B, N', 1] original tokens each holds
};

// Runs every block of `net` over x [B, N, C] (prefix tokens first, as net.embed gives them).
ReducedTokens forwardReducing(const VisionTransformerImpl& net, torch::Tensor x, const ReducingPass& pass);

} // namespace ts
