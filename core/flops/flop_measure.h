#pragma once
// Measured FLOPs, time and memory: runs the app's own LibTorch forward pass for a model at a
// length under FlopCountScope (every matmul goes through core/nn/ops.h) and PeakMemoryScope, so
// the analytic curves can be checked against what executes. Weights are seeded random: FLOPs,
// time and memory do not depend on their values. Torch-free header.
//
// What runs: Transformer / ToMe: the ViT blocks (core/vit) on `length` patches in one strip
// (patch embedding on a 1 x length patch row, or random tokens when patch_size is 0), class
// token and head as configured; ToMe (and the other reduction methods) through the ToMe lab's own
// block loop (core/tome/tome_forward.h) with proportional attention. Window: the same blocks on a
// batch of windows. FIT: core/fit's FitModel on one band of g x (length / g) patches (n = g^2).
// BSWA / FAM: core/fam's runFam on a synthetic stream.
#include "core/flops/flop_report.h"
#include "core/util/run_control.h"

#include <cstdint>

namespace ts {

struct MeasureOptions {
    std::int64_t memoryLimitBytes = 0; // runs estimated above it are marked too_large; 0: available memory less a margin
    std::uint64_t seed = 0;
    int fitChunkTokens = 8192;
    long long maxLength = 0; // measureReport leaves longer points unmeasured (not_requested); 0: no limit
};

// Why this model cannot be measured at this length ("" when it can), e.g. a FIT group size that
// is not a square, or a FAM with a patch embedding.
std::string measureUnsupportedReason(const ArchSpec& spec, long long length);
// Estimated peak bytes (weights included) of measureFlops for this model and length.
std::int64_t estimateMeasureMemory(const ArchSpec& spec, long long length, const MeasureOptions& options = {});

// One forward pass at one length. Never throws for a model that cannot run here: the status
// says too_large / unsupported / failed with a note. Throws ts::Cancelled.
FlopMeasurement measureFlops(const ArchSpec& spec, long long length, const RunControl& control = {},
                             const MeasureOptions& options = {});

// The work a measureReport would do: the analytic FLOPs of every point it would actually run
// (up to maxLength, supported, within the memory limit), and the largest such point. Computed in
// microseconds, before anything runs, so a request of hours is refused with the numbers.
struct MeasureWork {
    double totalFlops = 0;
    double largestFlops = 0;
    std::string largestLabel; // "vit-b16 at 1000000"
    int points = 0;
};
MeasureWork estimateMeasureWork(const FlopReport& report, const MeasureOptions& options = {});
// Default bound on MeasureWork::totalFlops for the command line (a few minutes on a desktop CPU).
constexpr double kDefaultMeasureMaxFlops = 2e13;

// Measures every point of every series up to options.maxLength (progress counts those points),
// filling point.measured.
void measureReport(FlopReport& report, const RunControl& control = {}, const MeasureOptions& options = {});

} // namespace ts
