#pragma once
// Peak-memory estimates made from the configuration before a run, so runs that cannot fit are
// refused with numbers instead of being attempted (torch-free). The figures count float32 tensor
// bytes the way core/util/memory_tracker.h measures them: weights, the tokens kept for the whole
// run, and the largest set of temporaries alive at once. Each term follows the order in which
// fit_model.cpp / full_attention_baseline.cpp create and free tensors (C++ temporaries live to
// the end of their full expression), so the estimate tracks the implementation, not just the
// asymptotics.
#include "core/fit/fit_config.h"
#include "core/fit/grouping.h"
#include "core/util/memory_estimate.h"

#include <cstdint>
#include <string>

namespace ts {

struct FitRecordingSize {
    int blocks = 0;     // blocks recorded (0: recording off)
    bool oneGroup = false;
};

double fitParameterCount(const FitConfig& config, const Grouping& grouping);
MemoryEstimate estimateFitMemory(const FitConfig& config, const Grouping& grouping, int chunkTokens,
                                 const FitRecordingSize& recording = {});

// A plain ViT of the same width (full attention over all `tokens`, all heads at once, as a
// standard implementation materialises [H, L, L]: the baseline runs under StandardAttentionScope)
// on an image `imageWidthPx` wide.
MemoryEstimate estimateFullAttentionMemory(std::int64_t tokens, int width, int heads, int depth, int mlpRatio,
                                           int patchSize, int imageWidthPx);

} // namespace ts
