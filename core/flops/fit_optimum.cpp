#include "core/flops/fit_optimum.h"

#include "core/fit/layer_pattern.h"
#include "core/util/error.h"

#include <cmath>
#include <limits>

namespace ts {
namespace {

double objectiveAt(ArchSpec& spec, long long n, long long length, const FlopConvention& c, FitObjective o)
{
    spec.groupSize = static_cast<int>(n);
    const FlopBreakdown b = countFlops(spec, length, c);
    return o == FitObjective::Total ? b.total : b.attention();
}

} // namespace

FitOptimum optimalFitGroupSize(const ArchSpec& spec, long long length, const FlopConvention& c, FitObjective objective)
{
    if (spec.kind != ArchKind::Fit)
        throw Error(spec.name + ": the optimal group size applies to FIT models only");
    if (length < 1 || length > (1LL << 30))
        throw Error(spec.name + ": length must be between 1 and 2^30 for the group-size search");
    ArchSpec s = spec;
    auto f = [&](long long n) { return objectiveAt(s, n, length, c, objective); };
    // Coarse pass over powers of two, then a ternary search between the neighbours of the best
    // one; the ceil(L / n) padding makes f only roughly unimodal, so finish with a local scan.
    long long best = 1;
    double bestValue = f(1);
    for (long long n = 2; n <= length; n *= 2) {
        const double v = f(n);
        if (v < bestValue)
            best = n, bestValue = v;
    }
    long long lo = std::max(1LL, best / 2), hi = std::min(length, best * 2);
    while (hi - lo > 8) {
        const long long a = lo + (hi - lo) / 3, b = hi - (hi - lo) / 3;
        if (f(a) <= f(b))
            hi = b;
        else
            lo = a;
    }
    const long long span = std::max(8LL, (hi - lo) / 2 + 8);
    for (long long n = std::max(1LL, lo - span); n <= std::min(length, hi + span); ++n) {
        const double v = f(n);
        if (v < bestValue)
            best = n, bestValue = v;
    }
    FitOptimum out;
    out.length = length;
    out.groupSize = best;
    out.flops = bestValue;
    const LayerPattern p = parseLayerPattern(spec.pattern);
    const double alpha = 4.0 * spec.width * p.localLayers(), beta = 4.0 * spec.latentWidth * p.globalLayers();
    const double m = spec.latentsPerGroup;
    out.closedFormGroupSize = alpha > 0 && beta > 0 ? std::cbrt(2 * beta * m * m * double(length) / alpha) : 0.0;
    return out;
}

double fittedExponent(const std::vector<double>& lengths, const std::vector<double>& values)
{
    if (lengths.size() != values.size() || lengths.size() < 2)
        throw Error("exponent fit: needs at least two (length, value) points");
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    const double k = double(lengths.size());
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        if (!(lengths[i] > 0) || !(values[i] > 0))
            throw Error("exponent fit: lengths and values must be positive");
        const double x = std::log(lengths[i]), y = std::log(values[i]);
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    const double denominator = k * sxx - sx * sx;
    if (std::abs(denominator) < 1e-12)
        throw Error("exponent fit: needs at least two different lengths");
    return (k * sxy - sx * sy) / denominator;
}

FitScaling fitScaling(const ArchSpec& spec, const std::vector<long long>& lengths, const FlopConvention& c)
{
    FitScaling out;
    std::vector<double> ls, totals, attentions;
    for (long long length : lengths) {
        out.total.push_back(optimalFitGroupSize(spec, length, c, FitObjective::Total));
        out.attention.push_back(optimalFitGroupSize(spec, length, c, FitObjective::Attention));
        ls.push_back(double(length));
        totals.push_back(out.total.back().flops);
        attentions.push_back(out.attention.back().flops);
    }
    if (ls.size() >= 2) {
        out.totalExponent = fittedExponent(ls, totals);
        out.attentionExponent = fittedExponent(ls, attentions);
    }
    return out;
}

} // namespace ts
