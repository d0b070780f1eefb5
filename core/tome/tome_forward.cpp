#include "core/tome/tome_forward.h"

#include "core/nn/flop_counter.h"
#include "core/reduction/reduction_step.h"
#include "core/util/threads.h"

#include <chrono>
#include <optional>
#include <string>

namespace ts {
namespace {

// One block's reduction, timed, with the observer told where the tokens went. True when it reduced.
bool reduceStep(const ReducingPass& pass, int i, int depth, int r, int prefixTokens, const ReductionInputs& in,
                torch::Tensor& x, torch::Tensor& size, std::vector<int>* to)
{
    // Matching and merging are a dozen small ops on ~200 tokens: serial is faster.
    SerialSection serial;
    const auto start = std::chrono::steady_clock::now();
    const torch::Tensor sizeBefore = pass.observer ? size[0].squeeze(-1) : torch::Tensor();
    const bool reduced = reduceTokens(pass.reduction, i, depth, r, prefixTokens, in, x, size, to);
    if (pass.reductionSeconds)
        (*pass.reductionSeconds)[static_cast<std::size_t>(i)]
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (reduced && pass.observer)
        pass.observer->reduced(i, *to, sizeBefore);
    return reduced;
}

} // namespace

ReducedTokens forwardReducing(const VisionTransformerImpl& net, torch::Tensor x, const ReducingPass& pass)
{
    const RunControl none;
    const RunControl& control = pass.control ? *pass.control : none;
    const std::vector<int>& perLayer = *pass.perLayer;
    MergeTrace* trace = pass.trace;
    const auto batch = x.size(0), tokens = x.size(1);
    torch::Tensor size = torch::ones({batch, tokens, 1});
    std::vector<int> tokenOf, to; // index-based merge_source (mergedTokenIndex), image 0
    bool merged = false;
    if (trace) {
        tokenOf.resize(static_cast<std::size_t>(tokens));
        for (std::int64_t t = 0; t < tokens; ++t)
            tokenOf[static_cast<std::size_t>(t)] = static_cast<int>(t);
        trace->tokenOf.push_back(tokenOf);
        trace->size.push_back(size[0].squeeze(-1));
    }
    const int depth = net.config.depth;
    for (int i = 0; i < depth; ++i) {
        control.throwIfCancelled();
        std::optional<FlopCountScope> flops; // nested: the counts also reach an outer scope
        if (pass.blockFlops)
            flops.emplace();
        Block block = net.block(i);
        torch::Tensor bias;
        if (pass.proportional && merged)
            bias = size.log().squeeze(-1).unsqueeze(1).unsqueeze(1); // [B, 1, 1, N]
        const int r = perLayer[static_cast<std::size_t>(i)];
        ReductionInputs in;
        BlockObserver* observer = pass.observer;
        const bool probs = reductionNeedsAttention(pass.reduction, r) || (observer && observer->needsAttention(i));
        x = block->attentionResidual(x, bias, &in.keys, probs ? &in.probs : nullptr);
        if (observer && !observer->attended(i, in.probs, size, merged))
            return {x, size};
        if (r > 0 && reduceStep(pass, i, depth, r, net.config.prefixTokens(), in, x, size, trace || observer ? &to : nullptr)) {
            if (trace)
                for (int& t : tokenOf)
                    t = to[static_cast<std::size_t>(t)];
            merged = true;
        }
        x = block->mlpResidual(x);
        if (flops)
            pass.blockFlops->push_back(flops->tally().matmulTotal());
        if (trace) {
            trace->tokenOf.push_back(tokenOf);
            trace->size.push_back(size[0].squeeze(-1));
        }
        control.progress(pass.stepOffset + i + 1, pass.totalSteps, "block " + std::to_string(i + 1) + "/" + std::to_string(depth));
    }
    return {x, size};
}

} // namespace ts
