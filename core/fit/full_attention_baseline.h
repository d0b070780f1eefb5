#pragma once
// The comparison for FIT's benchmark: a plain ViT stack of the same width with full attention
// over every patch token (no class token, no head), run the standard way (all heads' [L, L]
// weights at once). Torch-free header.
#include "core/fit/fit_memory.h"
#include "core/util/run_control.h"

#include <cstdint>

namespace ts {

struct FullAttentionRequest {
    int size = 512; // square image side in px (a seeded noise image)
    int patchSize = 16;
    int width = 384;
    int heads = 6;
    int depth = 12;
    int mlpRatio = 4;
    std::uint64_t seed = 0;
    std::int64_t memoryLimitBytes = 0; // 0: available memory

    std::int64_t tokens() const { return std::int64_t(size / patchSize) * (size / patchSize); }
};

struct FullAttentionResult {
    std::int64_t tokens = 0;
    double seconds = 0;
    std::int64_t peakMemoryBytes = 0;
    std::int64_t estimatedMemoryBytes = 0;
};

MemoryEstimate estimateFullAttentionRun(const FullAttentionRequest& request);
// Refuses (ts::Error with estimate and limit) runs that would not fit; cancels between layers.
FullAttentionResult runFullAttentionVit(const FullAttentionRequest& request, const RunControl& control = {});

} // namespace ts
