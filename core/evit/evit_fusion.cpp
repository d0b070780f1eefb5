#include "core/evit/evit_fusion.h"

#include <algorithm>
#include <numeric>

namespace ts {

Regrouping evitFusion(const torch::Tensor& probs, int r, int prefixTokens)
{
    const std::int64_t batch = probs.size(0), n = probs.size(2);
    const int t = static_cast<int>(n) - prefixTokens;
    r = std::max(0, std::min(r, t - 2));
    if (r == 0)
        return {};
    // attn[:, :, 0, prefix:].mean(heads): the class token's attention to each other token.
    const torch::Tensor cls = probs.select(/*dim=*/2, 0).slice(-1, prefixTokens).mean(/*dim=*/1).to(torch::kFloat).contiguous();
    const int kept = t - r - 1;
    Regrouping g;
    g.combine = Regrouping::Combine::AttentionFusion;
    g.tokens = static_cast<int>(n) - r;
    std::vector<int> order(static_cast<std::size_t>(t));
    for (std::int64_t b = 0; b < batch; ++b) {
        const float* a = cls.data_ptr<float>() + b * t;
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [a](int x, int y) { return a[x] > a[y]; });
        std::vector<int> target(static_cast<std::size_t>(n));
        std::vector<float> weight(static_cast<std::size_t>(n), 0.0f);
        for (int p = 0; p < prefixTokens; ++p)
            target[static_cast<std::size_t>(p)] = p;
        const int fused = prefixTokens + kept;
        for (int k = 0; k < t; ++k) {
            const int token = order[static_cast<std::size_t>(k)];
            const auto at = static_cast<std::size_t>(prefixTokens + token);
            target[at] = k < kept ? prefixTokens + k : fused;
            if (k >= kept)
                weight[at] = a[token];
        }
        g.target.push_back(std::move(target));
        g.weight.push_back(std::move(weight));
        g.fused.push_back(fused);
    }
    return g;
}

} // namespace ts
