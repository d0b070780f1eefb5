#pragma once
// The recorded merge state of a run (ToMeResult, any reduction method) checked at every layer:
// the class token alone, the sources partitioning the patches, the sizes agreeing with them.
// Call with QVERIFY(ts::test::layerStateIsConsistent(result, why)) so a failure names the layer.
#include "core/tome/tome_api.h"

#include <numeric>
#include <string>

namespace ts::test {

inline bool layerStateIsConsistent(const ToMeResult& result, std::string& why)
{
    const int patches = result.grid * result.grid;
    for (std::size_t k = 0; k < result.tokens.size(); ++k) {
        const auto& source = result.tokenOfPatch[k];
        const auto& sizes = result.sizes[k];
        const std::string at = "layer " + std::to_string(k) + ": ";
        if (static_cast<int>(sizes.size()) != result.tokens[k])
            return why = at + "sizes for " + std::to_string(sizes.size()) + " tokens", false;
        if (std::accumulate(sizes.begin(), sizes.end(), 0) != patches + 1)
            return why = at + "sizes do not sum to the patches and the class token", false;
        if (sizes[0] != 1)
            return why = at + "the class token was merged", false;
        // Every patch in exactly one non-class token, the sizes agreeing.
        std::vector<int> held(sizes.size(), 0);
        for (int p = 0; p < patches; ++p) {
            const int t = source[static_cast<std::size_t>(p)];
            if (t < 1 || t >= static_cast<int>(sizes.size()))
                return why = at + "patch " + std::to_string(p) + " in token " + std::to_string(t), false;
            ++held[static_cast<std::size_t>(t)];
        }
        for (std::size_t t = 1; t < sizes.size(); ++t)
            if (held[t] != sizes[t])
                return why = at + "token " + std::to_string(t) + " holds " + std::to_string(held[t]) + " patches, size "
                             + std::to_string(sizes[t]),
                       false;
    }
    return true;
}

} // namespace ts::test
