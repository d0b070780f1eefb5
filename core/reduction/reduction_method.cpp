#include "core/reduction/reduction_method.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ts {

const char* reductionMethodName(ReductionMethod method)
{
    switch (method) {
    case ReductionMethod::ToMe: return "tome";
    case ReductionMethod::PiToMe: return "pitome";
    case ReductionMethod::Atc: return "atc";
    case ReductionMethod::EVit: return "evit";
    }
    return "tome";
}

const char* reductionMethodTitle(ReductionMethod method)
{
    switch (method) {
    case ReductionMethod::ToMe: return "ToMe";
    case ReductionMethod::PiToMe: return "PiToMe";
    case ReductionMethod::Atc: return "ATC";
    case ReductionMethod::EVit: return "EViT";
    }
    return "ToMe";
}

ReductionMethod reductionMethodFromName(const std::string& name)
{
    for (ReductionMethod m : {ReductionMethod::ToMe, ReductionMethod::PiToMe, ReductionMethod::Atc, ReductionMethod::EVit})
        if (name == reductionMethodName(m))
            return m;
    throw Error("unknown method " + quotedForMessage(name) + " (expected tome, pitome, atc or evit)");
}

const char* linkageName(Linkage linkage)
{
    switch (linkage) {
    case Linkage::Single: return "single";
    case Linkage::Complete: return "complete";
    case Linkage::Average: return "average";
    }
    return "average";
}

Linkage linkageFromName(const std::string& name)
{
    for (Linkage l : {Linkage::Single, Linkage::Complete, Linkage::Average})
        if (name == linkageName(l))
            return l;
    throw Error("unknown linkage " + quotedForMessage(name) + " (expected single, complete or average)");
}

void ReductionOptions::validate(int depth) const
{
    if (!(margin >= -1 && margin <= 1))
        throw Error("PiToMe: the margin must be between -1 and 1 (a cosine similarity), got " + numberText(margin));
    if (!(keepRatio >= 0 && keepRatio < 1))
        throw Error("PiToMe: the keep ratio must be in (0, 1), got " + numberText(keepRatio));
    if (!(keepRate >= 0 && keepRate <= 1))
        throw Error("EViT: the keep rate must be in (0, 1], got " + numberText(keepRate));
    for (int l : layers)
        if (l < 0 || l >= depth)
            throw Error("reduction layer " + std::to_string(l + 1) + " is outside blocks 1.." + std::to_string(depth));
    if (method == ReductionMethod::PiToMe && keepRatio > 0 && !layers.empty())
        throw Error("PiToMe: a keep ratio applies to every block; give no reduction layers with it");
}

std::vector<int> ReductionOptions::reductionLayers(int depth) const
{
    if (!layers.empty()) {
        std::vector<int> out = layers;
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }
    std::vector<int> out;
    if (method == ReductionMethod::EVit) {
        for (int k = 1; k <= 3; ++k)
            if (depth >= 4)
                out.push_back(k * depth / 4);
        return out;
    }
    for (int i = 0; i < depth; ++i)
        out.push_back(i);
    return out;
}

std::string ReductionOptions::describe(const ToMeSchedule& schedule, int depth) const
{
    std::ostringstream s;
    if (method == ReductionMethod::PiToMe && keepRatio > 0)
        s << "keep ratio " << numberText(keepRatio);
    else if (method == ReductionMethod::EVit && keepRate > 0)
        s << "keep rate " << numberText(keepRate);
    else
        s << schedule.describe();
    if (method == ReductionMethod::PiToMe)
        s << ", margin " << numberText(margin);
    if (method == ReductionMethod::Atc)
        s << ", " << linkageName(linkage) << " linkage";
    if (method == ReductionMethod::EVit || !layers.empty()) {
        s << " at blocks ";
        const std::vector<int> shown = reductionLayers(depth); // 1-based, as the figures count blocks
        for (std::size_t i = 0; i < shown.size(); ++i)
            s << (i ? "," : "") << shown[i] + 1;
    }
    return s.str();
}

bool usesProportionalAttention(ReductionMethod method) { return method != ReductionMethod::EVit; }

int maxReduction(ReductionMethod method, int tokens, int prefixTokens)
{
    const int free = tokens - std::max(0, prefixTokens);
    switch (method) {
    case ReductionMethod::ToMe:
    case ReductionMethod::PiToMe: return std::max(0, free / 2);
    case ReductionMethod::Atc: return std::max(0, free - 1);
    case ReductionMethod::EVit: return std::max(0, free - 2);
    }
    return 0;
}

int clampReduction(ReductionMethod method, int tokens, int r, int prefixTokens)
{
    return std::max(0, std::min(r, maxReduction(method, tokens, prefixTokens)));
}

std::vector<int> tokenCountsAfterReduction(ReductionMethod method, int tokens, const std::vector<int>& perLayer,
                                           int prefixTokens)
{
    std::vector<int> out;
    for (int r : perLayer) {
        tokens -= clampReduction(method, tokens, r, prefixTokens);
        out.push_back(tokens);
    }
    return out;
}

std::vector<int> reductionPerLayer(const ReductionOptions& options, const ToMeSchedule& schedule, int depth, int tokens,
                                   int prefixTokens)
{
    const std::vector<int> fromSchedule = schedule.perLayer(depth);
    const std::vector<int> layers = options.reductionLayers(depth);
    std::vector<int> out(static_cast<std::size_t>(std::max(depth, 0)), 0);
    for (int i = 0; i < depth; ++i) {
        const auto at = static_cast<std::size_t>(i);
        const int free = tokens - prefixTokens;
        if (options.method == ReductionMethod::PiToMe && options.keepRatio > 0) {
            // The authors' pitome_vision: r = floor(T - T ratio) of the T non-prefix tokens.
            out[at] = static_cast<int>(std::floor(free - free * options.keepRatio));
        } else if (std::binary_search(layers.begin(), layers.end(), i)) {
            if (options.method == ReductionMethod::EVit && options.keepRate > 0) {
                // EViT: ceil(rate (N - 1)) attentive tokens kept, the rest fused into one token.
                const int kept = static_cast<int>(std::ceil(options.keepRate * free));
                out[at] = std::max(0, free - kept - 1);
            } else {
                out[at] = fromSchedule[at];
            }
        }
        tokens -= clampReduction(options.method, tokens, out[at], prefixTokens);
    }
    return out;
}

double pitomeMargin(double m0, int layer, int depth) { return depth > 0 ? m0 - m0 * layer / depth : m0; }

} // namespace ts
