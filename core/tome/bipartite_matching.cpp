#include "core/tome/bipartite_matching.h"

#include "core/nn/flop_counter.h"
#include "core/nn/ops.h"
#include "core/tome/best_match.h"
#include "core/tome/head_mean.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace ts {

namespace {

// r clamped to what the alternate split allows, the prefix tokens kept out of the choices.
int clampMerges(std::int64_t tokens, int r, int protectedTokens)
{
    return static_cast<int>(std::min<std::int64_t>(r, (tokens - std::max(0, protectedTokens)) / 2));
}

// Protected prefix tokens on each side of the alternate split: A holds tokens 0, 2, ..., B 1, 3, ...
std::int64_t protectedInA(int protectedTokens) { return (std::max(0, protectedTokens) + 1) / 2; }
std::int64_t protectedInB(int protectedTokens) { return std::max(0, protectedTokens) / 2; }

// Where unmerged A-token j and B-token j go in the merged sequence: the prefix tokens first in
// their original order (they are the first kept A- and B-tokens), then the other kept A-tokens,
// then the other B-tokens. With at most one prefix token: j and kept + j.
struct MergedOrder {
    std::int64_t pa, pb, kept;
    MergedOrder(int protectedTokens, std::int64_t kept_)
        : pa(protectedInA(protectedTokens)), pb(protectedInB(protectedTokens)), kept(kept_)
    {
    }
    std::int64_t ofA(std::int64_t j) const { return j < pa ? (pb > 0 ? 2 * j : j) : j + pb; }
    std::int64_t ofB(std::int64_t j) const { return j < pb ? 2 * j + 1 : kept + j; }
};

// torch.max's order on floats: NaN above everything (max propagates it), then the usual order.
inline bool above(float a, float b) { return std::isnan(a) ? !std::isnan(b) : a > b; }

MergePlan emptyPlan(std::int64_t batch, std::int64_t na, int r, int protectedTokens)
{
    MergePlan plan;
    plan.r = r;
    plan.protectedTokens = protectedTokens;
    plan.unmergedIdx = torch::empty({batch, na - r, 1}, torch::kLong);
    plan.srcIdx = torch::empty({batch, r, 1}, torch::kLong);
    plan.dstIdx = torch::empty({batch, r, 1}, torch::kLong);
    return plan;
}

// Image b's part of the plan from each A-token's best B-token: a stable descending sort of the
// best similarities as torch's, the r first merged, the kept A-tokens in their original order.
void fillPlan(MergePlan& plan, std::int64_t b, int protectedTokens, const std::vector<float>& best,
              const std::vector<std::int64_t>& bestB, std::vector<std::int64_t>& order)
{
    const std::int64_t r = plan.r, kept = static_cast<std::int64_t>(best.size()) - r;
    std::iota(order.begin(), order.end(), std::int64_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t x, std::int64_t y) {
        return above(best[static_cast<std::size_t>(x)], best[static_cast<std::size_t>(y)]);
    });
    std::int64_t* src = plan.srcIdx.data_ptr<std::int64_t>() + b * r;
    std::int64_t* dst = plan.dstIdx.data_ptr<std::int64_t>() + b * r;
    std::int64_t* unm = plan.unmergedIdx.data_ptr<std::int64_t>() + b * kept;
    for (std::int64_t e = 0; e < r; ++e) {
        src[e] = order[static_cast<std::size_t>(e)];
        dst[e] = bestB[static_cast<std::size_t>(src[e])];
    }
    std::copy(order.begin() + r, order.end(), unm);
    if (protectedTokens > 0)
        std::sort(unm, unm + kept);
}

// The matching on the CPU in one pass per image after the similarity product: the tensor
// formulation below is a dozen small ATen ops (about 80 us per block at ViT-S batch 1, where a
// whole merged block takes 300 us), this does the same arithmetic in plain loops: row maxima
// with torch.max's first-index ties and NaN rule, a stable descending sort as torch's, and the
// kept A-tokens in their original order.
MergePlan matchRows(const torch::Tensor& metric, int r, int protectedTokens)
{
    const std::int64_t batch = metric.size(0), tokens = metric.size(1);
    const std::int64_t na = (tokens + 1) / 2, nb = tokens / 2;
    // Cosine similarity: the same normalisation and product as the tensor formulation, on the
    // same (possibly strided) metric, so the sums run in the same order.
    const torch::Tensor normed = metric / metric.norm(2, /*dim=*/-1, /*keepdim=*/true);
    const torch::Tensor scores = ops::matmul(normed.slice(1, 0, tokens, 2), normed.slice(1, 1, tokens, 2).transpose(-1, -2),
                                             "tome_match")
                                     .contiguous();
    MergePlan plan = emptyPlan(batch, na, r, protectedTokens);
    std::vector<float> best(static_cast<std::size_t>(na));
    std::vector<std::int64_t> bestB(static_cast<std::size_t>(na)), order(static_cast<std::size_t>(na));
    const std::int64_t pa = protectedInA(protectedTokens), pb = protectedInB(protectedTokens);
    for (std::int64_t b = 0; b < batch; ++b) {
        const float* s = scores.data_ptr<float>() + b * na * nb;
        for (std::int64_t i = 0; i < na; ++i) {
            const float* row = s + i * nb;
            // B-side prefix tokens receive nothing: their column is -inf, so the search starts
            // after them unless every column is one (index 0, as torch.max of an all -inf row).
            std::int64_t idx = pb < nb ? pb : 0;
            float v = pb < nb ? row[idx] : -std::numeric_limits<float>::infinity();
            if (i < pa) {
                v = -std::numeric_limits<float>::infinity(); // a prefix token never merges
                idx = 0;
            } else {
                for (std::int64_t j = idx + 1; j < nb && !std::isnan(v); ++j)
                    if (above(row[j], v)) {
                        v = row[j];
                        idx = j;
                    }
            }
            best[static_cast<std::size_t>(i)] = v;
            bestB[static_cast<std::size_t>(i)] = idx;
        }
        fillPlan(plan, b, protectedTokens, best, bestB, order);
    }
    return plan;
}

} // namespace

torch::Tensor keyMetric(const torch::Tensor& keys)
{
    // The keys are a strided view of the qkv projection ([B, N, 3, H, d] permuted), where ATen's
    // reduction over the head dimension takes a slow path (about 30 us at ViT-S batch 1).
    // ATen sums more than 16 rows in blocks (another order of additions): mean() for those.
    if (!keys.device().is_cpu() || keys.scalar_type() != torch::kFloat || keys.dim() != 4 || keys.stride(3) != 1
        || keys.size(1) < 1 || keys.size(1) > 16)
        return keys.mean(/*dim=*/1);
    const std::int64_t batch = keys.size(0), heads = keys.size(1), tokens = keys.size(2), d = keys.size(3);
    const std::int64_t sb = keys.stride(0), sh = keys.stride(1), sn = keys.stride(2);
    torch::Tensor out = torch::empty({batch, tokens, d}, keys.options());
    const float* k = keys.data_ptr<float>();
    float* o = out.data_ptr<float>();
    for (std::int64_t b = 0; b < batch; ++b)
        for (std::int64_t n = 0; n < tokens; ++n)
            headMean(k + b * sb + n * sn, heads, sh, d, o + (b * tokens + n) * d);
    return out;
}

MergePlan bipartiteSoftMatching(const torch::Tensor& metric, int r, int protectedTokens)
{
    r = clampMerges(metric.size(1), r, protectedTokens);
    if (r <= 0)
        return {};
    if (metric.device().is_cpu() && metric.scalar_type() == torch::kFloat && metric.dim() == 3)
        return matchRows(metric, r, protectedTokens);
    return bipartiteSoftMatchingTensor(metric, r, protectedTokens);
}

MergePlan bipartiteSoftMatchingFromKeys(const torch::Tensor& keys, int r, int protectedTokens)
{
    if (!keys.device().is_cpu() || keys.scalar_type() != torch::kFloat || keys.dim() != 4 || keys.stride(3) != 1
        || keys.size(1) < 1 || keys.size(3) < 1)
        return bipartiteSoftMatching(keys.mean(/*dim=*/1), r, protectedTokens);
    if (protectedTokens > 1) // B-side prefix tokens: the loops after the product mask their columns
        return bipartiteSoftMatching(keyMetric(keys), r, protectedTokens);
    const std::int64_t batch = keys.size(0), tokens = keys.size(2);
    r = clampMerges(tokens, r, protectedTokens);
    if (r <= 0)
        return {};
    if (FlopCountScope::active()) { // what the product of the tensor formulation counts
        const double na = static_cast<double>((tokens + 1) / 2), nb = static_cast<double>(tokens / 2);
        FlopCountScope::addMatmul("tome_match", 2.0 * static_cast<double>(batch) * na * nb * static_cast<double>(keys.size(3)));
    }
    const std::int64_t na = (tokens + 1) / 2;
    MergePlan plan = emptyPlan(batch, na, r, protectedTokens);
    std::vector<float> best(static_cast<std::size_t>(na));
    std::vector<std::int64_t> bestB(static_cast<std::size_t>(na)), order(static_cast<std::size_t>(na));
    for (std::int64_t b = 0; b < batch; ++b) {
        KeyView view;
        view.data = keys.data_ptr<float>() + b * keys.stride(0);
        view.heads = keys.size(1);
        view.tokens = tokens;
        view.d = keys.size(3);
        view.headStride = keys.stride(1);
        view.tokenStride = keys.stride(2);
        bestMatches(view, protectedTokens > 0, best.data(), bestB.data());
        fillPlan(plan, b, protectedTokens, best, bestB, order);
    }
    return plan;
}

MergePlan bipartiteSoftMatchingTensor(const torch::Tensor& metric, int r, int protectedTokens)
{
    MergePlan plan;
    const int tokens = static_cast<int>(metric.size(1));
    r = clampMerges(metric.size(1), r, protectedTokens);
    if (r <= 0)
        return plan;
    plan.r = r;
    plan.protectedTokens = protectedTokens;

    // Cosine similarity between every A-token and every B-token.
    torch::Tensor normed = metric / metric.norm(2, /*dim=*/-1, /*keepdim=*/true);
    torch::Tensor a = normed.slice(/*dim=*/1, 0, tokens, 2);
    torch::Tensor b = normed.slice(/*dim=*/1, 1, tokens, 2);
    torch::Tensor scores = ops::matmul(a, b.transpose(-1, -2), "tome_match");
    const std::int64_t pa = protectedInA(protectedTokens), pb = protectedInB(protectedTokens);
    if (pb > 0) // nothing merges into a B-side prefix token
        scores.slice(2, 0, pb).fill_(-std::numeric_limits<float>::infinity());
    if (pa > 0) // an A-side prefix token never merges
        scores.slice(1, 0, pa).fill_(-std::numeric_limits<float>::infinity());

    // Each A-token's best B-token; the r best edges are merged.
    auto [nodeMax, nodeIdx] = scores.max(/*dim=*/-1);
    torch::Tensor edgeIdx = std::get<1>(nodeMax.sort(/*stable=*/true, /*dim=*/-1, /*descending=*/true)).unsqueeze(-1);
    plan.unmergedIdx = edgeIdx.slice(1, r);
    plan.srcIdx = edgeIdx.slice(1, 0, r);
    plan.dstIdx = nodeIdx.unsqueeze(-1).gather(/*dim=*/1, plan.srcIdx);
    // Keep the unmerged A-tokens in their original order (the prefix tokens stay first).
    if (protectedTokens > 0)
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
    const std::int64_t pa = protectedInA(plan.protectedTokens), pb = protectedInB(plan.protectedTokens);
    if (pb == 0)
        return torch::cat({unm, dst}, /*dim=*/1);
    std::vector<torch::Tensor> parts;
    for (std::int64_t j = 0; j < pa + pb; ++j)
        parts.push_back(j % 2 == 0 ? unm.slice(1, j / 2, j / 2 + 1) : dst.slice(1, j / 2, j / 2 + 1));
    parts.push_back(unm.slice(1, pa));
    parts.push_back(dst.slice(1, pb));
    return torch::cat(parts, /*dim=*/1);
}

namespace {

// A plan's index tensors as contiguous arrays, image by image, for the merges in plain loops.
struct PlanIndex {
    torch::Tensor unmerged, src, dst;
    std::int64_t kept, r;
    explicit PlanIndex(const MergePlan& plan)
        : unmerged(plan.unmergedIdx.contiguous()), src(plan.srcIdx.contiguous()), dst(plan.dstIdx.contiguous()),
          kept(plan.unmergedIdx.size(1)), r(plan.r)
    {
    }
    const std::int64_t* unmergedOf(std::int64_t b) const { return unmerged.data_ptr<std::int64_t>() + b * kept; }
    const std::int64_t* srcOf(std::int64_t b) const { return src.data_ptr<std::int64_t>() + b * r; }
    const std::int64_t* dstOf(std::int64_t b) const { return dst.data_ptr<std::int64_t>() + b * r; }
};

// merge_wavg on contiguous float tensors in one pass over the rows, with the same arithmetic as
// the tensor version below (x * size summed in plan order, then divided by the summed size): a
// dozen small ATen ops per block cost more than the merge itself at ViT sizes and batch 1.
std::pair<torch::Tensor, torch::Tensor> mergeWeightedAverageRows(const MergePlan& plan, const torch::Tensor& xIn,
                                                                 const torch::Tensor& sizeIn)
{
    const torch::Tensor x = xIn.contiguous(), size = sizeIn.contiguous();
    const std::int64_t batch = x.size(0), tokens = x.size(1), c = x.size(2);
    const PlanIndex index(plan);
    const std::int64_t t2 = tokens / 2, r = index.r, kept = index.kept;
    const MergedOrder at(plan.protectedTokens, kept);
    torch::Tensor out = torch::empty({batch, kept + t2, c}, x.options());
    torch::Tensor outSize = torch::empty({batch, kept + t2, 1}, size.options());
    for (std::int64_t b = 0; b < batch; ++b) {
        const float* xb = x.data_ptr<float>() + b * tokens * c;
        const float* sb = size.data_ptr<float>() + b * tokens;
        float* ob = out.data_ptr<float>() + b * (kept + t2) * c;
        float* osb = outSize.data_ptr<float>() + b * (kept + t2);
        const std::int64_t *ub = index.unmergedOf(b), *srcb = index.srcOf(b), *dstb = index.dstOf(b);
        // Unmerged A-tokens, in plan order: (x * s) / s, as the tensor version computes it.
        for (std::int64_t j = 0; j < kept; ++j) {
            const std::int64_t row = 2 * ub[j], o = at.ofA(j);
            const float s = sb[row];
            for (std::int64_t k = 0; k < c; ++k)
                ob[o * c + k] = (xb[row * c + k] * s) / s;
            osb[o] = s;
        }
        // B-tokens: their own x * s, plus each merged A-token's, in plan order; then / size.
        for (std::int64_t j = 0; j < t2; ++j) {
            const std::int64_t row = 2 * j + 1, o = at.ofB(j);
            const float s = sb[row];
            for (std::int64_t k = 0; k < c; ++k)
                ob[o * c + k] = xb[row * c + k] * s;
            osb[o] = s;
        }
        for (std::int64_t i = 0; i < r; ++i) {
            const std::int64_t row = 2 * srcb[i], o = at.ofB(dstb[i]);
            const float s = sb[row];
            for (std::int64_t k = 0; k < c; ++k)
                ob[o * c + k] += xb[row * c + k] * s;
            osb[o] += s;
        }
        for (std::int64_t j = 0; j < t2; ++j) {
            const std::int64_t o = at.ofB(j);
            for (std::int64_t k = 0; k < c; ++k)
                ob[o * c + k] /= osb[o];
        }
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

namespace {

// merge_source's amax in plain loops on contiguous float tensors: the same values as
// scatter_reduce (a maximum does not depend on the order, NaN propagates), without ATen's
// "scatter_reduce() is in beta" warning on every command that tracks sources.
torch::Tensor mergeSourceRows(const MergePlan& plan, const torch::Tensor& sourceIn)
{
    const torch::Tensor source = sourceIn.contiguous();
    const std::int64_t batch = source.size(0), tokens = source.size(1), c = source.size(2);
    const PlanIndex index(plan);
    const std::int64_t t2 = tokens / 2, r = index.r, kept = index.kept;
    const MergedOrder at(plan.protectedTokens, kept);
    torch::Tensor out = torch::empty({batch, kept + t2, c}, source.options());
    for (std::int64_t b = 0; b < batch; ++b) {
        const float* xb = source.data_ptr<float>() + b * tokens * c;
        float* ob = out.data_ptr<float>() + b * (kept + t2) * c;
        const std::int64_t *ub = index.unmergedOf(b), *srcb = index.srcOf(b), *dstb = index.dstOf(b);
        for (std::int64_t j = 0; j < kept; ++j)
            std::copy_n(xb + 2 * ub[j] * c, c, ob + at.ofA(j) * c);
        for (std::int64_t j = 0; j < t2; ++j)
            std::copy_n(xb + (2 * j + 1) * c, c, ob + at.ofB(j) * c);
        for (std::int64_t i = 0; i < r; ++i) {
            const float* from = xb + 2 * srcb[i] * c;
            float* to = ob + at.ofB(dstb[i]) * c;
            for (std::int64_t k = 0; k < c; ++k)
                if (std::isnan(from[k]) || from[k] > to[k])
                    to[k] = from[k];
        }
    }
    return out;
}

} // namespace

torch::Tensor mergeSource(const MergePlan& plan, const torch::Tensor& source)
{
    if (plan.r <= 0)
        return source;
    if (source.device().is_cpu() && source.scalar_type() == torch::kFloat && source.dim() == 3)
        return mergeSourceRows(plan, source);
    return mergeTokens(source, plan, "amax");
}

std::vector<int> mergedTokenIndex(const MergePlan& plan, int tokens, std::int64_t image)
{
    std::vector<int> to(static_cast<std::size_t>(tokens));
    if (plan.r == 0) {
        for (int t = 0; t < tokens; ++t)
            to[static_cast<std::size_t>(t)] = t;
        return to;
    }
    const PlanIndex index(plan);
    const std::int64_t kept = index.kept, r = index.r, t2 = tokens / 2;
    const MergedOrder at(plan.protectedTokens, kept); // the order mergeWeightedAverage writes
    const std::int64_t *ub = index.unmergedOf(image), *srcb = index.srcOf(image), *dstb = index.dstOf(image);
    for (std::int64_t j = 0; j < kept; ++j) // unmerged A-token at A-position ub[j]
        to[static_cast<std::size_t>(2 * ub[j])] = static_cast<int>(at.ofA(j));
    for (std::int64_t j = 0; j < t2; ++j) // every B-token
        to[static_cast<std::size_t>(2 * j + 1)] = static_cast<int>(at.ofB(j));
    for (std::int64_t i = 0; i < r; ++i) // a merged A-token joins its B-token
        to[static_cast<std::size_t>(2 * srcb[i])] = static_cast<int>(at.ofB(dstb[i]));
    return to;
}

} // namespace ts
