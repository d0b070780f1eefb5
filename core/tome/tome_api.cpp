#include "core/tome/tome_api.h"

#include "core/reduction/reduction_flops.h"
#include "core/tome/tome_forward.h"
#include "core/tome/tome_memory.h"
#include "core/util/error.h"
#include "core/util/threads.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"

#include <c10/core/InferenceMode.h>

#include <chrono>

namespace ts {
namespace {

// One forward pass with the reduction between attention and MLP in every block: the embedding,
// the blocks (core/tome/tome_forward.h), the head.
torch::Tensor forwardToMe(const VisionTransformerImpl& net, const torch::Tensor& image, const std::vector<int>& perLayer,
                          const ReductionOptions& reduction, bool proportional, MergeTrace* trace, const RunControl& control,
                          int stepOffset, int totalSteps, std::vector<double>* reductionSeconds = nullptr,
                          std::vector<double>* blockFlops = nullptr)
{
    ReducingPass pass;
    pass.perLayer = &perLayer;
    pass.reduction = reduction;
    pass.proportional = proportional;
    pass.trace = trace;
    pass.control = &control;
    pass.stepOffset = stepOffset;
    pass.totalSteps = totalSteps;
    pass.reductionSeconds = reductionSeconds;
    pass.blockFlops = blockFlops;
    const ReducedTokens out = forwardReducing(net, net.embed(image), pass);
    return net.classify(out.x, out.size);
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

// Untimed warm-up, a block at a time so that a cancel need not wait for a whole pass (about a
// second for ViT-S/16 at 448 px); only a finished pass counts as warm.
void warmUp(const VitModel& model, const torch::Tensor& image, const RunControl& control)
{
    if (model.warmedUp.load())
        return;
    const VisionTransformerImpl& net = *model.net;
    torch::Tensor x = net.embed(image);
    for (int i = 0; i < net.config.depth; ++i) {
        control.throwIfCancelled();
        x = net.block(i)->forward(x);
    }
    net.classify(x);
    model.warmedUp = true;
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

        warmUp(*request.model, image, control);
        MergeTrace trace;
        torch::Tensor logits;
        {
            FlopCountScope flops;
            const auto start = std::chrono::steady_clock::now();
            result.secondsReduction.assign(static_cast<std::size_t>(config.depth), 0.0);
            logits = forwardToMe(net, image, result.rRequested, reduction, result.proportionalAttention,
                                 request.recordSources ? &trace : nullptr, control, 0, total, &result.secondsReduction,
                                 &result.flopsPerBlockMerged);
            result.secondsMerged = secondsSince(start);
            result.flopsMerged = flops.tally();
        }
        if (request.measurePlain) {
            FlopCountScope flops;
            const auto start = std::chrono::steady_clock::now();
            std::vector<int> none(static_cast<std::size_t>(config.depth), 0);
            forwardToMe(net, image, none, reduction, false, nullptr, control, config.depth, total, nullptr, &result.flopsPerBlockPlain);
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
