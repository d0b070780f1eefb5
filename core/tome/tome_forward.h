#pragma once
// The blocks of a ViT with a token reduction between attention and MLP in each (where the
// authors' ToMeBlock merges; PiToMe, ATC and EViT reduce at the same place), over tokens already
// embedded: the one block loop behind runToMe (core/tome/tome_api.h), the FLOP lab's measured
// passes (core/flops/flop_measure.h) and the attention view's recording (core/vit/attention_record.h,
// through a BlockObserver), so what the FLOP lab measures and the attention view shows is what the
// ToMe lab runs.
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

// Watches a pass block by block, for image 0.
class BlockObserver {
public:
    virtual ~BlockObserver() = default;
    // Whether block `block`'s attention weights are needed (they then reach attended()).
    virtual bool needsAttention(int block) const = 0;
    // After the block's attention: its weights [B, H, N, N] (undefined unless needed) and the
    // tokens' sizes [B, N, 1]; `merged`: tokens had merged before. False stops the pass here.
    virtual bool attended(int block, const torch::Tensor& probs, const torch::Tensor& size, bool merged) = 0;
    // After the block reduced: where each of image 0's N tokens went, and their sizes before [N].
    virtual void reduced(int block, const std::vector<int>& tokenMap, const torch::Tensor& sizeBefore) = 0;
};

struct ReducingPass {
    const std::vector<int>* perLayer = nullptr; // r per block (depth entries)
    ReductionOptions reduction;
    bool proportional = true;
    MergeTrace* trace = nullptr;                // image 0's sources, when given
    const RunControl* control = nullptr;        // cancel between blocks, progress after each
    int stepOffset = 0, totalSteps = 0;         // progress: block i is step stepOffset + i + 1 of totalSteps
    std::vector<double>* reductionSeconds = nullptr; // per block: the reduction step's seconds
    BlockObserver* observer = nullptr;
    std::vector<double>* blockFlops = nullptr;       // appended per block: its matmul FLOPs (counted)
};

struct ReducedTokens {
    torch::Tensor x;    // [B, N', C] after the last block
    torch::Tensor size; // [B, N', 1] original tokens each holds
};

// Runs every block of `net` over x [B, N, C] (prefix tokens first, as net.embed gives them);
// an observer may stop it after a block's attention (the result is then not a finished pass).
ReducedTokens forwardReducing(const VisionTransformerImpl& net, torch::Tensor x, const ReducingPass& pass);

} // namespace ts
