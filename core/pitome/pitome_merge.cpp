#include "core/pitome/pitome_merge.h"


#include <algorithm>
#include <cmath>
#include <numeric>

namespace ts {

PitomeChoice pitomeChoice(const float* similarity, int tokens, int r, double margin)
{
    PitomeChoice c;
    r = std::max(0, std::min(r, tokens / 2));
    const auto t = static_cast<std::size_t>(tokens);
    c.energy.assign(t, 0.0);
    for (std::size_t i = 0; i < t; ++i) {
        double sum = 0;
        for (std::size_t j = 0; j < t; ++j) {
            const double x = static_cast<double>(similarity[i * t + j]) - margin;
            sum += x > 0 ? x : std::expm1(x); // ELU, alpha 1
        }
        c.energy[i] = sum / static_cast<double>(tokens);
    }
    c.order.resize(t);
    std::iota(c.order.begin(), c.order.end(), 0);
    std::stable_sort(c.order.begin(), c.order.end(),
                     [&](int x, int y) { return c.energy[static_cast<std::size_t>(x)] > c.energy[static_cast<std::size_t>(y)]; });
    for (int k = 0; k < 2 * r; ++k)
        (k % 2 == 0 ? c.a : c.b).push_back(c.order[static_cast<std::size_t>(k)]);
    c.protectedTokens.assign(c.order.begin() + 2 * r, c.order.end());
    for (int i : c.a) {
        int best = 0;
        for (int j = 1; j < r; ++j)
            if (similarity[static_cast<std::size_t>(i) * t + static_cast<std::size_t>(c.b[static_cast<std::size_t>(j)])]
                > similarity[static_cast<std::size_t>(i) * t + static_cast<std::size_t>(c.b[static_cast<std::size_t>(best)])])
                best = j;
        c.destination.push_back(best);
    }
    return c;
}

Regrouping pitomeMerge(const torch::Tensor& keys, int r, double margin, int prefixTokens)
{
    const std::int64_t batch = keys.size(0), n = keys.size(2);
    const int t = static_cast<int>(n) - prefixTokens;
    r = std::max(0, std::min(r, t / 2));
    if (r == 0)
        return {};
    const torch::Tensor sim = nonPrefixSimilarity(keys, prefixTokens, "pitome_energy");
    Regrouping g;
    g.tokens = static_cast<int>(n) - r;
    const int kept = t - 2 * r; // protected tokens
    for (std::int64_t b = 0; b < batch; ++b) {
        const PitomeChoice c = pitomeChoice(sim.data_ptr<float>() + b * t * t, t, r, margin);
        std::vector<int> target(static_cast<std::size_t>(n));
        for (int p = 0; p < prefixTokens; ++p)
            target[static_cast<std::size_t>(p)] = p;
        for (int k = 0; k < kept; ++k)
            target[static_cast<std::size_t>(prefixTokens + c.protectedTokens[static_cast<std::size_t>(k)])] = prefixTokens + k;
        for (int j = 0; j < r; ++j)
            target[static_cast<std::size_t>(prefixTokens + c.b[static_cast<std::size_t>(j)])] = prefixTokens + kept + j;
        for (int i = 0; i < r; ++i)
            target[static_cast<std::size_t>(prefixTokens + c.a[static_cast<std::size_t>(i)])]
                = prefixTokens + kept + c.destination[static_cast<std::size_t>(i)];
        g.target.push_back(std::move(target));
    }
    return g;
}

} // namespace ts
