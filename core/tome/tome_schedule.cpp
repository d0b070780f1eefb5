#include "core/tome/tome_schedule.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <climits>
#include <cmath>
#include <sstream>

namespace ts {

ToMeSchedule ToMeSchedule::constant(int r)
{
    ToMeSchedule s;
    s.kind = Kind::Constant;
    s.r = r;
    return s;
}

ToMeSchedule ToMeSchedule::explicitList(std::vector<int> list)
{
    ToMeSchedule s;
    s.kind = Kind::List;
    s.list = std::move(list);
    s.r = s.list.empty() ? 0 : s.list.front();
    return s;
}

ToMeSchedule ToMeSchedule::withInflection(int r, double inflection)
{
    ToMeSchedule s;
    s.kind = Kind::Inflection;
    s.r = r;
    s.inflection = inflection;
    return s;
}

void ToMeSchedule::validate(int depth) const
{
    if (kind == Kind::List) {
        if (static_cast<int>(list.size()) > depth)
            throw Error("ToMe schedule: " + std::to_string(list.size()) + " entries for a model of depth "
                        + std::to_string(depth));
        for (int v : list)
            if (v < 0)
                throw Error("ToMe schedule: r cannot be negative, got " + std::to_string(v));
        return;
    }
    if (r < 0)
        throw Error("ToMe: r cannot be negative, got " + std::to_string(r));
    if (kind == Kind::Inflection && !std::isfinite(inflection))
        throw Error("ToMe: inflection must be a finite number");
    // parse_r's line runs from r(1 - x) to r(1 + x): beyond |x| = 1 one end is negative (no
    // merging, clamped) and the other grows without bound, which is no schedule anyone means.
    if (kind == Kind::Inflection && std::abs(inflection) > 1)
        throw Error("ToMe: inflection must be between -1 and 1 (r merged per block runs from r(1 - x) to r(1 + x)), got "
                    + numberText(inflection));
}

std::vector<int> ToMeSchedule::perLayer(int depth) const
{
    std::vector<int> out(static_cast<std::size_t>(std::max(depth, 0)), 0);
    switch (kind) {
    case Kind::Constant:
        std::fill(out.begin(), out.end(), r);
        break;
    case Kind::List:
        for (std::size_t i = 0; i < out.size() && i < list.size(); ++i)
            out[i] = list[i];
        break;
    case Kind::Inflection: {
        // parse_r: a line from r*(1-inflect) to 2r - r*(1-inflect), truncated to integers.
        // In double and clamped before the cast: with r near 2^30 or a huge inflection the int
        // arithmetic overflowed (undefined behaviour; found with the FLOP config fuzz harness). NaN (inf x 0) counts as 0.
        const double minVal = std::trunc(r * (1.0 - inflection));
        const double maxVal = 2.0 * r - minVal;
        const double step = depth > 1 ? (maxVal - minVal) / (depth - 1) : 0.0;
        for (int i = 0; i < depth; ++i) {
            const double value = std::trunc(minVal + step * i);
            out[static_cast<std::size_t>(i)] = !(value > 0) ? 0 : value >= INT_MAX ? INT_MAX : static_cast<int>(value);
        }
        break;
    }
    }
    return out;
}

std::string ToMeSchedule::describe() const
{
    std::ostringstream s;
    switch (kind) {
    case Kind::Constant: s << "r=" << r; break;
    case Kind::List:
        s << "r=[";
        for (std::size_t i = 0; i < list.size(); ++i)
            s << (i ? "," : "") << list[i];
        s << "]";
        break;
    case Kind::Inflection: s << "r=" << r << ", inflection " << inflection; break;
    }
    return s.str();
}

std::vector<int> tokenCountsAfterMerging(int tokens, const std::vector<int>& perLayer, int protectedTokens)
{
    std::vector<int> out;
    for (int r : perLayer) {
        tokens -= std::max(0, std::min(r, (tokens - protectedTokens) / 2));
        out.push_back(tokens);
    }
    return out;
}

} // namespace ts
