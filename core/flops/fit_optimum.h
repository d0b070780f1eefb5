#pragma once
// FIT's best group size per sequence length and how the minimum scales with L (the paper's
// O(L^{4/3}) argument, Chen & Li 2023, arXiv 2305.12689, Appendix B; the form below is derived from
// the layer costs of the official code, google-research/pix2seq, architectures/transformers.py):
//   f(n) = alpha L n + beta (L m / n)^2,  alpha = 4 c (local layers), beta = 4 d (global layers),
//   n* = (2 beta m^2 L / alpha)^{1/3} ~ L^{1/3},  f(n*) ~ L^{4/3}.
// Here the minimum is searched on the exact analytic count (core/flops/flop_model.h), which also
// has the linear terms (projections, MLP, cross-attention), so the fitted exponent of the total
// tends to 1 until attention dominates; the attention-only exponent shows the 4/3. Torch-free.
#include "core/flops/flop_model.h"

#include <vector>

namespace ts {

struct FitOptimum {
    long long length = 0;
    long long groupSize = 0;        // n minimising the objective (integer search)
    double flops = 0;               // the objective at n (total, or attention only)
    double closedFormGroupSize = 0; // the notes' n* = (2 beta m^2 L / alpha)^{1/3}
};

enum class FitObjective { Total, Attention };

// Throws ts::Error unless `spec` is a FIT model. Searches n in [1, length].
FitOptimum optimalFitGroupSize(const ArchSpec& spec, long long length, const FlopConvention& convention = {},
                               FitObjective objective = FitObjective::Total);

// Least-squares slope of log(values) against log(lengths) (at least two points, all > 0).
double fittedExponent(const std::vector<double>& lengths, const std::vector<double>& values);

struct FitScaling {
    std::vector<FitOptimum> total;     // per length: n minimising total FLOPs
    std::vector<FitOptimum> attention; // per length: n minimising attention FLOPs
    double totalExponent = 0;          // slope of min total vs L
    double attentionExponent = 0;      // slope of min attention vs L (-> 4/3)
};
FitScaling fitScaling(const ArchSpec& spec, const std::vector<long long>& lengths, const FlopConvention& convention = {});

} // namespace ts
