#include "core/tome/tome_api.h"

#include "core/reduction/reduction_flops.h"
#include "core/reduction/reduction_step.h"
#include "core/tome/tome_memory.h"
#include "core/util/error.h"
#include "core/util/threads.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"

#include <c10/core/InferenceMode.h>

#include <chrono>

namespace ts {
namespace {

// What a recorded run keeps of image 0 per state (input, then after each block).
struct MergeTrace {
    std::vector<std::vector<int>> tokenOf; // per state: [N0] the token holding each original token
    std::vector<torch::Tensor> size;       // per state: [N]
};

// One forward pass with the reduction between attention and MLP in every block (the authors'
// ToMeBlock; PiToMe, ATC and EViT reduce at the same place).
torch::Tensor forwardToMe(const VisionTransformerImpl& net, const torch::Tensor& image, const std::vector<int>& perLayer,
                          const ReductionOptions& reduction, bool proportional, MergeTrace* trace, const RunControl& control,
                          int stepOffset, int totalSteps, std::vector<double>* reductionSeconds = nullptr)
{
    torch::Tensor x = net.embed(image);
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
    for (int i = 0; i < net.config.depth; ++i) {
        control.throwIfCancelled();
        Block block = net.block(i);
        // Proportional attention (Sec. 3, Eq. 1): log(size) added to the logits.
        torch::Tensor bias;
        if (proportional && merged)
            bias = size.log().squeeze(-1).unsqueeze(1).unsqueeze(1); // [B, 1, 1, N]
        const int r = perLayer[static_cast<std::size_t>(i)];
        ReductionInputs in;
        x = block->attentionResidual(x, bias, &in.keys, reductionNeedsAttention(reduction, r) ? &in.probs : nullptr);
        if (r > 0) {
            // Matching and merging are a dozen small ops on ~200 tokens: serial is faster.
            SerialSection serial;
            const auto start = std::chrono::steady_clock::now();
            const bool reduced = reduceTokens(reduction, i, net.config.depth, r, net.config.prefixTokens(), in, x, size, trace ? &to : nullptr);
            if (reductionSeconds)
                (*reductionSeconds)[static_cast<std::size_t>(i)]
                    = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (reduced) {
                if (trace)
                    for (int& t : tokenOf)
                        t = to[static_cast<std::size_t>(t)];
                merged = true;
            }
        }
        x = block->mlpResidual(x);
        if (trace) {
            trace->tokenOf.push_back(tokenOf);
            trace->size.push_back(size[0].squeeze(-1));
        }
        control.progress(stepOffset + i + 1, totalSteps, "block " + std::to_string(i + 1) + "/" + std::to_string(net.config.depth));
    }
    return net.classify(x, size);
}

// The request checked against the model (schedule, method, memory) and the result's description
// of the run: the method, its schedule and the r each block is asked for.
ToMeResult checkedResultHeader(const ToMeRequest& request, const VitConfig& config)
{
    request.schedule.validate(config.depth);
    const ReductionOptions& reduction = request.reduction;
    reduction.validate(config.depth);
    if (reduction.method == ReductionMethod::EVit && !config.classToken)
        throw Error("EViT ranks tokens by the class token's attention; this model has no class token");
    requireToMeMemory(config, request.batch, request.recordSources, 0, reduction.method);

    ToMeResult result;
    result.config = config;
    result.weights = request.model->source.weightsLabel();
    result.method = reduction.method;
    result.scheduleText = reduction.method == ReductionMethod::ToMe && reduction.layers.empty()
                              ? request.schedule.describe()
                              : reduction.describe(request.schedule, config.depth);
    result.proportionalAttention = request.proportionalAttention && usesProportionalAttention(reduction.method);
    result.grid = config.gridSize();
    result.rRequested = reductionPerLayer(reduction, request.schedule, config.depth, config.numTokens(), config.prefixTokens());
    return result;
}

// Token counts per state, and from the trace each state's token of every patch and token sizes.
void fillMergeState(ToMeResult& result, const MergeTrace& trace, const VitConfig& config)
{
    result.tokens.push_back(config.numTokens());
    for (int t : tokenCountsAfterReduction(result.method, config.numTokens(), result.rRequested, config.prefixTokens()))
        result.tokens.push_back(t);
    for (std::size_t k = 1; k < result.tokens.size(); ++k)
        result.rApplied.push_back(result.tokens[k - 1] - result.tokens[k]);
    const auto prefix = static_cast<std::ptrdiff_t>(config.prefixTokens());
    for (std::size_t k = 0; k < trace.tokenOf.size(); ++k) {
        // The prefix tokens (class, distillation, registers) come first; then the patches in raster order.
        result.tokenOfPatch.emplace_back(trace.tokenOf[k].begin() + prefix, trace.tokenOf[k].end());
        torch::Tensor sz = trace.size[k].round().to(torch::kInt32).contiguous();
        result.sizes.emplace_back(sz.data_ptr<int>(), sz.data_ptr<int>() + sz.numel());
        if (static_cast<int>(sz.numel()) != result.tokens[k])
            throw Error("ToMe: internal token count mismatch at layer " + std::to_string(k));
    }
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

ToMeResult runToMe(const ToMeRequest& request, const RunControl& control)
{
    if (!request.model)
        throw Error("ToMe: no model");
    if (request.imageRgb.empty())
        throw Error("ToMe: no image");
    if (request.batch < 1 || request.batch > 256)
        throw Error("ToMe: batch must be between 1 and 256, got " + std::to_string(request.batch));
    const VisionTransformerImpl& net = *request.model->net;
    const VitConfig& config = net.config;
    const ReductionOptions& reduction = request.reduction;
    ToMeResult result = checkedResultHeader(request, config); // before any tensor is made

    const ModelDescription& description = vitDescriptionOf(*request.model);
    const Preprocessing& preprocessing = description.preprocessing;
    const Normalisation normalisation = preprocessing.fromSideFiles && !request.normalisationGiven
                                            ? preprocessing.normalisation
                                            : request.normalisation;
    SquareCrop crop = preprocessImage(request.imageRgb, config.imageSize, preprocessing);
    result.crop = crop.rgb;
    result.cropRect = crop.sourceRect;

    try {
        c10::InferenceMode guard;
        torch::Tensor image = imageToTensor(crop.rgb, normalisation);
        if (request.batch > 1)
            image = image.expand({request.batch, -1, -1, -1}).contiguous();
        const int total = config.depth * (request.measurePlain ? 2 : 1);

        if (!request.model->warmedUp.load()) {
            // Untimed warm-up, a block at a time so that a cancel need not wait for a whole pass
            // (about a second for ViT-S/16 at 448 px); only a finished pass counts as warm.
            torch::Tensor x = net.embed(image);
            for (int i = 0; i < config.depth; ++i) {
                control.throwIfCancelled();
                x = net.block(i)->forward(x);
            }
            net.classify(x);
            request.model->warmedUp = true;
        }
        MergeTrace trace;
        torch::Tensor logits;
        {
            FlopCountScope flops;
            const auto start = std::chrono::steady_clock::now();
            result.secondsReduction.assign(static_cast<std::size_t>(config.depth), 0.0);
            logits = forwardToMe(net, image, result.rRequested, reduction, result.proportionalAttention,
                                 request.recordSources ? &trace : nullptr, control, 0, total, &result.secondsReduction);
            result.secondsMerged = secondsSince(start);
            result.flopsMerged = flops.tally();
        }
        if (request.measurePlain) {
            FlopCountScope flops;
            const auto start = std::chrono::steady_clock::now();
            std::vector<int> none(static_cast<std::size_t>(config.depth), 0);
            forwardToMe(net, image, none, reduction, false, nullptr, control, config.depth, total);
            result.secondsPlain = secondsSince(start);
            result.flopsPlain = flops.tally();
        }
        fillMergeState(result, trace, config);
        result.flopsAnalytic = reducedFlops(config, reduction.method, result.rApplied).total;
        if (config.numClasses > 0)
            result.top5 = topClasses(logits.slice(0, 0, 1), 5, description.classNames);
        torch::Tensor out = logits.slice(0, 0, 1).reshape({-1}).contiguous();
        result.output.assign(out.data_ptr<float>(), out.data_ptr<float>() + out.numel());
    } catch (const c10::Error& e) {
        throw Error(std::string("ToMe: ") + e.what_without_backtrace());
    }
    return result;
}

std::vector<int> joinLayers(const ToMeResult& result, int layer, int patch)
{
    const int patches = result.grid * result.grid;
    if (layer < 0 || layer >= static_cast<int>(result.tokenOfPatch.size()) || patch < 0 || patch >= patches)
        throw Error("lineage: layer " + std::to_string(layer) + " or patch " + std::to_string(patch) + " out of range");
    std::vector<int> out(static_cast<std::size_t>(patches), -1);
    const auto& final = result.tokenOfPatch[static_cast<std::size_t>(layer)];
    for (int p = 0; p < patches; ++p) {
        if (final[static_cast<std::size_t>(p)] != final[static_cast<std::size_t>(patch)])
            continue;
        // Groups only grow, so the first state sharing a token with `patch` is the join.
        for (int k = 0; k <= layer; ++k) {
            const auto& state = result.tokenOfPatch[static_cast<std::size_t>(k)];
            if (state[static_cast<std::size_t>(p)] == state[static_cast<std::size_t>(patch)]) {
                out[static_cast<std::size_t>(p)] = k;
                break;
            }
        }
    }
    return out;
}

} // namespace ts
