#pragma once
// FLOP curves for several models at chosen lengths, with optional measurements, and their
// exports: JSON (README "FLOP config files": per architecture an array of
// {"length", "flops", "parts", ...}) and CSV (one row per model and length). Both read back.
// Torch-free.
#include "core/flops/fit_optimum.h"
#include "core/flops/flop_model.h"

#include <optional>
#include <string>
#include <vector>

namespace ts {

enum class MeasureStatus {
    NotRequested,
    Ran,
    TooLarge,    // the memory estimate exceeds the limit: marked, not run
    Unsupported, // no forward pass of this shape in the app (note says why)
    Failed,      // ran and threw (note holds the message)
    Cancelled
};
const char* measureStatusName(MeasureStatus status); // "not_requested", "ran", "too_large", ...
MeasureStatus measureStatusFromName(const std::string& name);

// What the app's own forward pass executed (counted by core/nn/flop_counter.h, always in the
// default convention) and what it cost here.
struct FlopMeasurement {
    MeasureStatus status = MeasureStatus::NotRequested;
    std::string note;
    double flops = 0;                          // measured matmul FLOPs
    std::map<std::string, double> parts;       // by counter part
    std::map<std::string, double> elementwise; // softmax, layernorm, gelu as counted
    double analyticFlops = 0;                  // analytic total in the default convention
    double seconds = 0;                        // the forward pass (model build excluded)
    long long peakMemoryBytes = 0;             // weights + peak tensor bytes of the pass
    long long estimatedMemoryBytes = 0;        // the estimate made before running

    // measured / analytic - 1 (0 when nothing was measured).
    double relativeError() const { return analyticFlops > 0 && flops > 0 ? flops / analyticFlops - 1.0 : 0.0; }
};

struct FlopPoint {
    long long length = 0;
    FlopBreakdown analytic; // in the report's convention
    FlopMeasurement measured;
};

struct FlopSeries {
    ArchSpec spec;
    std::vector<FlopPoint> points;
    std::optional<FitScaling> fitOptimum; // FIT models, when asked
};

struct FlopReport {
    FlopConvention convention;
    std::vector<FlopSeries> series;
};

// Analytic curves (fast: closed forms). With `fitOptimum`, FIT series also get the best group
// size per length and the fitted exponents. Throws ts::Error for invalid specs or lengths.
FlopReport computeFlopCurves(const std::vector<ArchSpec>& specs, const std::vector<long long>& lengths,
                             const FlopConvention& convention = {}, bool fitOptimum = false);

std::string flopReportJson(const FlopReport& report);
// Reads what flopReportJson wrote (specs, points, measurements; not the FIT optimum).
FlopReport flopReportFromJson(const std::string& text);
std::string flopReportCsv(const FlopReport& report);
// Reads what flopReportCsv wrote: names, kinds and every point (other spec fields default).
FlopReport flopReportFromCsv(const std::string& text);

} // namespace ts
