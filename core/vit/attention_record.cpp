#include "core/vit/attention_record.h"

#include "core/tome/bipartite_matching.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/util/threads.h"
#include "core/vit/attention_math.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"

#include <c10/core/InferenceMode.h>

#include <sstream>

namespace ts {

torch::Tensor spreadOverSources(const torch::Tensor& row, const torch::Tensor& source, const torch::Tensor& size)
{
    return torch::matmul((row / size).unsqueeze(0), source).squeeze(0);
}

torch::Tensor rolloutStep(const torch::Tensor& rollout, const torch::Tensor& attention)
{
    torch::Tensor a = 0.5 * attention + 0.5 * torch::eye(attention.size(0), attention.options());
    a = a / a.sum(/*dim=*/-1, /*keepdim=*/true);
    return torch::matmul(a, rollout);
}

namespace {

std::vector<float> toVector(const torch::Tensor& t)
{
    const torch::Tensor c = t.to(torch::kFloat32).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

// The recorded state is the block's [H, N, N] weights, the [N, N0] source and rollout matrices
// and their merged copies: refuse before the pass when that cannot fit.
void requireAttentionMemory(const VitConfig& c, bool rollout)
{
    const double n = c.numTokens(), perBlock = (3.0 * c.heads * n * n + (rollout ? 4.0 : 2.0) * n * n) * 4.0;
    const double available = static_cast<double>(availableMemoryBytes());
    if (available > 0 && perBlock * 1.5 > available) {
        std::ostringstream msg;
        msg.precision(3);
        msg << "attention: recording " << c.numTokens() << " tokens (" << c.imageSize << " px) needs ~"
            << perBlock * 1.5 / (1 << 30) << " GiB, " << available / (1 << 30) << " GiB available";
        throw Error(msg.str());
    }
}

// The shown block's rows, spread over the original tokens.
void recordBlock(const torch::Tensor& probs, const torch::Tensor& source, const torch::Tensor& size, int head,
                 int prefix, AttentionResult& result)
{
    const torch::Tensor a = head < 0 ? probs[0].mean(/*dim=*/0) : probs[0][head]; // [N, N]
    const torch::Tensor s = size[0].squeeze(-1);
    for (int p = 0; p < prefix; ++p) {
        const torch::Tensor spread = spreadOverSources(a[p], source, s);
        result.prefixToPrefix.push_back(toVector(spread.narrow(0, 0, prefix)));
        result.prefixToPatches.push_back(toVector(spread.narrow(0, prefix, spread.size(0) - prefix)));
    }
    result.classToPatches = result.prefixToPatches.front();
    result.tokens = static_cast<int>(a.size(0));
}

// The block, head, schedule and model checked, and the memory the recording needs, before
// anything runs. Throws ts::Error.
void checkAttentionRequest(const AttentionRequest& request)
{
    if (!request.model || request.imageRgb.empty())
        throw Error("attention: no model or no image");
    const VitConfig& c = request.model->net->config;
    if (request.block < 0 || request.block >= c.depth)
        throw Error("attention: block " + std::to_string(request.block + 1) + " is outside 1.." + std::to_string(c.depth));
    if (request.head < -1 || request.head >= c.heads)
        throw Error("attention: head " + std::to_string(request.head) + " is outside 0.." + std::to_string(c.heads - 1));
    if (!c.classToken)
        throw Error("attention: the model has no class token whose attention could be shown");
    request.schedule.validate(c.depth);
    requireAttentionMemory(c, request.rollout);
}

} // namespace

AttentionResult runAttention(const AttentionRequest& request, const RunControl& control)
{
    checkAttentionRequest(request);
    const VisionTransformerImpl& net = *request.model->net;
    const VitConfig& c = net.config;
    AttentionResult result;
    result.config = c;
    result.grid = c.gridSize();
    result.block = request.block;
    result.head = request.head;
    const Preprocessing& pre = vitDescriptionOf(*request.model).preprocessing;
    result.crop = preprocessImage(request.imageRgb, c.imageSize, pre).rgb;
    const Normalisation norm = pre.fromSideFiles && !request.normalisationGiven ? pre.normalisation : request.normalisation;
    const std::vector<int> perLayer = request.schedule.perLayer(c.depth);
    const int prefix = c.prefixTokens();
    try {
        c10::InferenceMode guard;
        torch::Tensor x = net.embed(imageToTensor(result.crop, norm));
        const auto n0 = x.size(1);
        torch::Tensor size = torch::ones({1, n0, 1}), source = torch::eye(n0), rollout = torch::eye(n0);
        bool merged = false;
        for (int i = 0; i < c.depth; ++i) {
            control.throwIfCancelled();
            torch::Tensor bias, keys, probs;
            if (request.proportionalAttention && merged)
                bias = size.log().squeeze(-1).unsqueeze(1).unsqueeze(1);
            x = net.block(i)->attentionResidual(x, bias, &keys, &probs);
            if (i == request.block) {
                result.merged = merged;
                recordBlock(probs, source, size, request.head, prefix, result);
                if (!request.rollout)
                    break; // nothing after the shown block is needed
            }
            if (request.rollout)
                rollout = rolloutStep(rollout, probs[0].mean(/*dim=*/0));
            const int r = perLayer[static_cast<std::size_t>(i)];
            if (r > 0) {
                SerialSection serial;
                const MergePlan plan = bipartiteSoftMatchingFromKeys(keys, r, prefix);
                if (plan.r > 0) {
                    source = mergeSource(plan, source.unsqueeze(0))[0];
                    if (request.rollout) // a merged token's row: its members' rows, size-weighted
                        rollout = mergeWeightedAverage(plan, rollout.unsqueeze(0), size).first[0];
                    std::tie(x, size) = mergeWeightedAverage(plan, x, size);
                    merged = true;
                }
            }
            x = net.block(i)->mlpResidual(x);
            control.progress(i + 1, c.depth, "block " + std::to_string(i + 1));
        }
        if (request.rollout) {
            result.rolloutToPatches = toVector(rollout[0].narrow(0, prefix, n0 - prefix));
            result.rolloutToPrefix = toVector(rollout[0].narrow(0, 0, prefix));
            result.rolloutMerged = merged;
        }
    } catch (const c10::Error& e) {
        throw Error(std::string("attention: ") + e.what_without_backtrace());
    }
    return result;
}

} // namespace ts
