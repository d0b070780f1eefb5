#include "core/tome/bipartite_matching.h"

#include "core/nn/ops.h"

#include <limits>

namespace ts {

MergePlan bipartiteSoftMatching(const torch::Tensor& metric, int r, bool classToken)
{
    MergePlan plan;
    const int tokens = static_cast<int>(metric.size(1));
    const int protectedTokens = classToken ? 1 : 0;
    r = std::min(r, (tokens - protectedTokens) / 2);
    if (r <= 0)
        return plan;
    plan.r = r;

    // Cosine similarity between every A-token and every B-token.
    torch::Tensor normed = metric / metric.norm(2, /*dim=*/-1, /*keepdim=*/true);
    torch::Tensor a = normed.slice(/*dim=*/1, 0, tokens, 2);
    torch::Tensor b = normed.slice(/*dim=*/1, 1, tokens, 2);
    torch::Tensor scores = ops::matmul(a, b.transpose(-1, -2), "tome_match");
    if (classToken)
        scores.select(1, 0).fill_(-std::numeric_limits<float>::infinity());

    // Each A-token's best B-token; the r best edges are merged.
    auto [nodeMax, nodeIdx] = scores.max(/*dim=*/-1);
    torch::Tensor edgeIdx = std::get<1>(nodeMax.sort(/*stable=*/true, /*dim=*/-1, /*descending=*/true)).unsqueeze(-1);
    plan.unmergedIdx = edgeIdx.slice(1, r);
    plan.srcIdx = edgeIdx.slice(1, 0, r);
    plan.dstIdx = nodeIdx.unsqueeze(-1).gather(/*dim=*/1, plan.srcIdx);
    // Keep the unmerged A-tokens in their original order (the class token stays first).
    if (classToken)
        plan.unmergedIdx = std::get<0>(plan.unmergedIdx.sort(/*dim=*/1));
    return plan;
}

torch::Tensor mergeTokens(const torch::Tensor& x, const MergePlan& plan, const std::string& reduce)
{
    if (plan.r <= 0)
        return x;
    const auto n = x.size(0), tokens = x.size(1), c = x.size(2);
    torch::Tensor src = x.slice(1, 0, tokens, 2);
    torch::Tensor dst = x.slice(1, 1, tokens, 2);
    const auto t1 = src.size(1);
    torch::Tensor unm = src.gather(1, plan.unmergedIdx.expand({n, t1 - plan.r, c}));
    torch::Tensor moved = src.gather(1, plan.srcIdx.expand({n, plan.r, c}));
    dst = dst.scatter_reduce(1, plan.dstIdx.expand({n, plan.r, c}), moved, reduce, /*include_self=*/true);
    return torch::cat({unm, dst}, /*dim=*/1);
}

std::pair<torch::Tensor, torch::Tensor> mergeWeightedAverage(const MergePlan& plan, const torch::Tensor& x,
                                                             const torch::Tensor& size)
{
    torch::Tensor merged = mergeTokens(x * size, plan, "sum");
    torch::Tensor newSize = mergeTokens(size, plan, "sum");
    return {merged / newSize, newSize};
}

torch::Tensor mergeSource(const MergePlan& plan, const torch::Tensor& source)
{
    return mergeTokens(source, plan, "amax");
}

} // namespace ts
