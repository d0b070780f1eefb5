#pragma once
// One token's ToMe metric (Sec. 3: the attention keys averaged over heads) with the arithmetic
// of keys.mean(1) for up to 16 heads (ATen sums that few rows one after another): the head sum
// in head order, then divided by the head count. Shared by keyMetric (the metric as a tensor)
// and bestMatches (the one-pass matching), whose plans must agree bit for bit.
#include <cstdint>

namespace ts {

inline __attribute__((always_inline)) void headMean(const float* src, std::int64_t heads, std::int64_t headStride,
                                                    std::int64_t d, float* out)
{
    for (std::int64_t c = 0; c < d; ++c)
        out[c] = src[c];
    for (std::int64_t h = 1; h < heads; ++h)
        for (std::int64_t c = 0; c < d; ++c)
            out[c] += src[h * headStride + c];
    const float count = static_cast<float>(heads);
    for (std::int64_t c = 0; c < d; ++c)
        out[c] /= count;
}

} // namespace ts
