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

#include <cstdint>
#include <string>

namespace ts {

struct MemoryEstimate {
    double parameterBytes = 0;  // weights (and the learned latent table)
    double persistentBytes = 0; // tokens kept for the whole run
    double transientBytes = 0;  // the largest stage's temporaries
    double recordingBytes = 0;  // recorded attention weights (0 unless asked)
    std::string peakStage;      // which stage sets transientBytes
    double totalBytes() const { return parameterBytes + persistentBytes + transientBytes + recordingBytes; }
};

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

// Throws ts::Error "<what>: needs about X GiB (estimated peak), limit Y GiB (available memory)"
// when the estimate exceeds `limitBytes` (<= 0: the memory available now).
void requireMemory(const MemoryEstimate& estimate, std::int64_t limitBytes, const std::string& what);
// The limit used when none is given: memory available now, less a safety margin.
std::int64_t defaultMemoryLimit();

std::string formatBytes(double bytes); // "45.6 MiB", "1.23 GiB", "2.50 TiB", "5.82e+05 PiB"

} // namespace ts
