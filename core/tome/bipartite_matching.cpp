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

namespace {

// merge_wavg on contiguous float tensors in one pass over the rows, with the same arithmetic as
// the tensor version below (x * size summed in plan order, then divided by the summed size): a
// dozen small ATen ops per block cost more than the merge itself at ViT sizes and batch 1.
std::pair<torch::Tensor, torch::Tensor> mergeWeightedAverageRows(const MergePlan& plan, const torch::Tensor& xIn,
                                                                 const torch::Tensor& sizeIn)
{
    const torch::Tensor x = xIn.contiguous(), size = sizeIn.contiguous();
    const std::int64_t batch = x.size(0), tokens = x.size(1), c = x.size(2);
    const std::int64_t t1 = (tokens + 1) / 2, t2 = tokens / 2, r = plan.r, kept = t1 - r;
    torch::Tensor out = torch::empty({batch, kept + t2, c}, x.options());
    torch::Tensor outSize = torch::empty({batch, kept + t2, 1}, size.options());
    const torch::Tensor unm = plan.unmergedIdx.contiguous(), src = plan.srcIdx.contiguous(), dst = plan.dstIdx.contiguous();
    for (std::int64_t b = 0; b < batch; ++b) {
        const float* xb = x.data_ptr<float>() + b * tokens * c;
        const float* sb = size.data_ptr<float>() + b * tokens;
        float* ob = out.data_ptr<float>() + b * (kept + t2) * c;
        float* osb = outSize.data_ptr<float>() + b * (kept + t2);
        const std::int64_t* ub = unm.data_ptr<std::int64_t>() + b * kept;
        const std::int64_t* srcb = src.data_ptr<std::int64_t>() + b * r;
        const std::int64_t* dstb = dst.data_ptr<std::int64_t>() + b * r;
        // Unmerged A-tokens, in plan order: (x * s) / s, as the tensor version computes it.
        for (std::int64_t j = 0; j < kept; ++j) {
            const std::int64_t row = 2 * ub[j];
            const float s = sb[row];
            for (std::int64_t k = 0; k < c; ++k)
                ob[j * c + k] = (xb[row * c + k] * s) / s;
            osb[j] = s;
        }
        // B-tokens: their own x * s, plus each merged A-token's, in plan order; then / size.
        float* acc = ob + kept * c;
        float* accSize = osb + kept;
        for (std::int64_t j = 0; j < t2; ++j) {
            const std::int64_t row = 2 * j + 1;
            const float s = sb[row];
            for (std::int64_t k = 0; k < c; ++k)
                acc[j * c + k] = xb[row * c + k] * s;
            accSize[j] = s;
        }
        for (std::int64_t i = 0; i < r; ++i) {
            const std::int64_t row = 2 * srcb[i], j = dstb[i];
            const float s = sb[row];
            for (std::int64_t k = 0; k < c; ++k)
                acc[j * c + k] += xb[row * c + k] * s;
            accSize[j] += s;
        }
        for (std::int64_t j = 0; j < t2; ++j)
            for (std::int64_t k = 0; k < c; ++k)
                acc[j * c + k] /= accSize[j];
    }
    return {out, outSize};
}

} // namespace

std::pair<torch::Tensor, torch::Tensor> mergeWeightedAverage(const MergePlan& plan, const torch::Tensor& x,
                                                             const torch::Tensor& size)
{
    if (plan.r <= 0)
        return {x, size};
    if (x.device().is_cpu() && x.scalar_type() == torch::kFloat && size.scalar_type() == torch::kFloat && x.dim() == 3
        && size.dim() == 3 && size.size(2) == 1)
        return mergeWeightedAverageRows(plan, x, size);
    torch::Tensor merged = mergeTokens(x * size, plan, "sum");
    torch::Tensor newSize = mergeTokens(size, plan, "sum");
    return {merged / newSize, newSize};
}

torch::Tensor mergeSource(const MergePlan& plan, const torch::Tensor& source)
{
    return mergeTokens(source, plan, "amax");
}

} // namespace ts
