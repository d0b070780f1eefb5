#pragma once
// How many tokens ToMe merges in each block: constant r, an explicit list, or the authors'
// (r, inflection) schedule (tome/utils.py parse_r). Torch-free.
#include <string>
#include <vector>

namespace ts {

struct ToMeSchedule {
    enum class Kind { Constant, List, Inflection };
    Kind kind = Kind::Constant;
    int r = 8;
    double inflection = 0.0;  // Kind::Inflection: 0 = constant, < 0 decreasing, > 0 increasing
    std::vector<int> list;    // Kind::List: r for block 0, 1, ...; missing entries are 0

    static ToMeSchedule constant(int r);
    static ToMeSchedule explicitList(std::vector<int> list);
    static ToMeSchedule withInflection(int r, double inflection);

    // r requested for each of `depth` blocks (before clamping to what the split allows).
    std::vector<int> perLayer(int depth) const;
    // "r=8", "r=[8,8,4]", "r=16, inflection -0.5".
    std::string describe() const;
    // Throws ts::Error for negative r, lists longer than the depth, non-finite inflection.
    void validate(int depth) const;
};

// Tokens left after each block when merging `perLayer` from `tokens` (`protectedTokens` prefix
// tokens never merge; true: the class token): each block merges min(r, (tokens - protected) / 2),
// as bipartite matching allows.
std::vector<int> tokenCountsAfterMerging(int tokens, const std::vector<int>& perLayer, int protectedTokens = 1);

} // namespace ts
