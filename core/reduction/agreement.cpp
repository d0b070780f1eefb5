#include "core/reduction/agreement.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>

namespace ts {
namespace {

std::vector<double> logSoftmax(const std::vector<float>& logits)
{
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0;
    for (float v : logits)
        sum += std::exp(static_cast<double>(v) - top);
    std::vector<double> out;
    for (float v : logits)
        out.push_back(static_cast<double>(v) - top - std::log(sum));
    return out;
}

} // namespace

Agreement agreementOf(const std::vector<float>& reference, const std::vector<float>& reduced, bool hasHead)
{
    if (reference.size() != reduced.size() || reference.empty())
        throw Error("agreement: outputs of " + std::to_string(reference.size()) + " and " + std::to_string(reduced.size())
                    + " values");
    Agreement a;
    a.hasHead = hasHead;
    double dot = 0, na = 0, nb = 0;
    for (std::size_t i = 0; i < reference.size(); ++i) {
        dot += static_cast<double>(reference[i]) * reduced[i];
        na += static_cast<double>(reference[i]) * reference[i];
        nb += static_cast<double>(reduced[i]) * reduced[i];
    }
    a.cosine = na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0;
    a.top1Same = std::max_element(reference.begin(), reference.end()) - reference.begin()
                 == std::max_element(reduced.begin(), reduced.end()) - reduced.begin();
    if (hasHead) {
        const std::vector<double> p = logSoftmax(reference), q = logSoftmax(reduced);
        for (std::size_t i = 0; i < p.size(); ++i)
            a.kl += std::exp(p[i]) * (p[i] - q[i]);
    }
    return a;
}

} // namespace ts
