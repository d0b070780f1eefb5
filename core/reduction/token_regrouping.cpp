#include "core/reduction/token_regrouping.h"

#include "core/nn/ops.h"
#include "core/tome/bipartite_matching.h"
#include "core/util/error.h"

namespace ts {

void Regrouping::check(int inputTokens) const
{
    for (const std::vector<int>& t : target) {
        if (static_cast<int>(t.size()) != inputTokens)
            throw Error("token reduction: a map of " + std::to_string(t.size()) + " tokens for " + std::to_string(inputTokens));
        std::vector<char> held(static_cast<std::size_t>(tokens), 0);
        for (int o : t) {
            if (o < 0 || o >= tokens)
                throw Error("token reduction: output token " + std::to_string(o) + " outside 0.." + std::to_string(tokens - 1));
            held[static_cast<std::size_t>(o)] = 1;
        }
        for (char h : held)
            if (!h)
                throw Error("token reduction: an output token holds no input token");
    }
}

std::pair<torch::Tensor, torch::Tensor> applyRegrouping(const Regrouping& g, const torch::Tensor& xIn, const torch::Tensor& sizeIn)
{
    if (!g.changes())
        return {xIn, sizeIn};
    const torch::Tensor x = xIn.to(torch::kFloat).contiguous(), size = sizeIn.to(torch::kFloat).contiguous();
    const std::int64_t batch = x.size(0), tokens = x.size(1), c = x.size(2), out = g.tokens;
    g.check(static_cast<int>(tokens));
    torch::Tensor y = torch::zeros({batch, out, c}, x.options());
    torch::Tensor ySize = torch::zeros({batch, out, 1}, x.options());
    for (std::int64_t b = 0; b < batch; ++b) {
        const auto& target = g.target[static_cast<std::size_t>(b)];
        const float* xb = x.data_ptr<float>() + b * tokens * c;
        const float* sb = size.data_ptr<float>() + b * tokens;
        float* yb = y.data_ptr<float>() + b * out * c;
        float* ysb = ySize.data_ptr<float>() + b * out;
        const bool fusion = g.combine == Regrouping::Combine::AttentionFusion;
        const int fused = fusion ? g.fused[static_cast<std::size_t>(b)] : -1;
        for (std::int64_t n = 0; n < tokens; ++n) {
            const std::int64_t o = target[static_cast<std::size_t>(n)];
            const float w = !fusion ? sb[n] : o == fused ? g.weight[static_cast<std::size_t>(b)][static_cast<std::size_t>(n)] : 1.0f;
            for (std::int64_t k = 0; k < c; ++k)
                yb[o * c + k] += xb[n * c + k] * w;
            ysb[o] += sb[n];
        }
        if (fusion)
            continue; // kept tokens were copied (x * 1), the fused one is the weighted sum
        for (std::int64_t o = 0; o < out; ++o)
            for (std::int64_t k = 0; k < c; ++k)
                yb[o * c + k] /= ysb[o];
    }
    return {y.to(xIn.scalar_type()), ySize.to(sizeIn.scalar_type())};
}

torch::Tensor nonPrefixSimilarity(const torch::Tensor& keys, int prefixTokens, const char* part)
{
    const torch::Tensor metric = keyMetric(keys).to(torch::kFloat).slice(1, prefixTokens).contiguous();
    const torch::Tensor normed = metric / metric.norm(2, /*dim=*/-1, /*keepdim=*/true);
    return ops::matmul(normed, normed.transpose(-1, -2), part).contiguous();
}

} // namespace ts
