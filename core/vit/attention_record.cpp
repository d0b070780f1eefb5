#include "core/vit/attention_record.h"

#include "core/tome/tome_forward.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/util/threads.h"
#include "core/vit/attention_math.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <sstream>

namespace ts {

torch::Tensor spreadOverSources(const torch::Tensor& row, const std::vector<int>& tokenOf, const torch::Tensor& size)
{
    const torch::Tensor holder = torch::tensor(std::vector<std::int64_t>(tokenOf.begin(), tokenOf.end()), torch::kLong);
    return (row / size).index_select(0, holder);
}

torch::Tensor mergeRolloutRows(const torch::Tensor& rollout, const std::vector<int>& tokenMap, const torch::Tensor& size,
                               std::int64_t tokensAfter)
{
    const torch::Tensor to = torch::tensor(std::vector<std::int64_t>(tokenMap.begin(), tokenMap.end()), torch::kLong);
    const torch::Tensor w = size.to(rollout.scalar_type()).reshape({-1, 1});
    torch::Tensor sum = torch::zeros({tokensAfter, rollout.size(1)}, rollout.options()).index_add_(0, to, rollout * w);
    const torch::Tensor mass = torch::zeros({tokensAfter, 1}, rollout.options()).index_add_(0, to, w);
    return sum / mass;
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

// The recorded state is the block's [H, N, N] weights and, for rollout, the [N, N0] rollout matrix
// and its next copy: refuse before the pass when that cannot fit.
void requireAttentionMemory(const VitConfig& c, bool rollout)
{
    const double n = c.numTokens(), perBlock = (3.0 * c.heads * n * n + (rollout ? 3.0 : 0.0) * n * n) * 4.0;
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
void recordBlock(const torch::Tensor& probs, const std::vector<int>& tokenOf, const torch::Tensor& size, int head,
                 int prefix, AttentionResult& result)
{
    const torch::Tensor a = head < 0 ? probs[0].mean(/*dim=*/0) : probs[0][head]; // [N, N]
    const torch::Tensor s = size[0].squeeze(-1);
    for (int p = 0; p < prefix; ++p) {
        const torch::Tensor spread = spreadOverSources(a[p], tokenOf, s);
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
    request.reduction.validate(c.depth);
    requireAttentionMemory(c, request.rollout);
}

// Records the shown block's rows and the rollout through the one reducing pass: the source of
// each original token is its holder's index (N0 integers), the rollout's rows follow the merges.
class AttentionObserver : public BlockObserver {
public:
    AttentionObserver(const AttentionRequest& request, int prefix, std::int64_t tokens, AttentionResult& result)
        : m_request(request), m_prefix(prefix), m_result(result), m_tokenOf(static_cast<std::size_t>(tokens))
    {
        for (std::size_t t = 0; t < m_tokenOf.size(); ++t)
            m_tokenOf[t] = static_cast<int>(t);
        if (request.rollout)
            m_rollout = torch::eye(tokens);
    }
    bool needsAttention(int block) const override { return m_request.rollout || block == m_request.block; }
    bool attended(int block, const torch::Tensor& probs, const torch::Tensor& size, bool merged) override
    {
        if (block == m_request.block) {
            m_result.merged = merged;
            recordBlock(probs, m_tokenOf, size, m_request.head, m_prefix, m_result);
        }
        if (m_request.rollout)
            m_rollout = rolloutStep(m_rollout, probs[0].mean(/*dim=*/0));
        return m_request.rollout || block < m_request.block; // nothing after the shown block is needed
    }
    void reduced(int, const std::vector<int>& tokenMap, const torch::Tensor& sizeBefore) override
    {
        const int after = 1 + *std::max_element(tokenMap.begin(), tokenMap.end());
        for (int& t : m_tokenOf)
            t = tokenMap[static_cast<std::size_t>(t)];
        if (m_request.rollout) // a merged token's row: its members' rows, size-weighted
            m_rollout = mergeRolloutRows(m_rollout, tokenMap, sizeBefore, after);
        m_rolloutMerged = true;
    }
    void finish()
    {
        if (!m_request.rollout)
            return;
        const std::int64_t n0 = static_cast<std::int64_t>(m_tokenOf.size());
        m_result.rolloutToPatches = toVector(m_rollout[0].narrow(0, m_prefix, n0 - m_prefix));
        m_result.rolloutToPrefix = toVector(m_rollout[0].narrow(0, 0, m_prefix));
        m_result.rolloutMerged = m_rolloutMerged;
    }

private:
    const AttentionRequest& m_request;
    const int m_prefix;
    AttentionResult& m_result;
    std::vector<int> m_tokenOf; // the token holding each original token
    torch::Tensor m_rollout;    // [N, N0]
    bool m_rolloutMerged = false;
};

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
    const int prefix = c.prefixTokens();
    const std::vector<int> perLayer = reductionPerLayer(request.reduction, request.schedule, c.depth, c.numTokens(), prefix);
    try {
        c10::InferenceMode guard;
        const torch::Tensor x = net.embed(imageToTensor(result.crop, norm));
        AttentionObserver observer(request, prefix, x.size(1), result);
        ReducingPass pass;
        pass.perLayer = &perLayer;
        pass.reduction = request.reduction;
        pass.proportional = request.proportionalAttention;
        pass.control = &control;
        pass.totalSteps = c.depth;
        pass.observer = &observer;
        forwardReducing(net, x, pass);
        observer.finish();
    } catch (const c10::Error& e) {
        throw Error(std::string("attention: ") + e.what_without_backtrace());
    }
    return result;
}

} // namespace ts
