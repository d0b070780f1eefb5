#include "core/tome/tome_source_map.h"

#include "core/util/error.h"

#include <string>

namespace ts {

ToMeSourceMap runToMeSourceMap(ToMeRequest request, int layer, const RunControl& control)
{
    request.measurePlain = false;
    request.recordSources = true;
    const ToMeResult result = runToMe(request, control);
    ToMeSourceMap map;
    map.layer = layer < 0 ? result.depth() : layer;
    if (map.layer > result.depth())
        throw Error("ToMe layer must be between 0 and " + std::to_string(result.depth()) + ", got " + std::to_string(layer));
    map.tokenOfPatch = result.tokenOfPatch.at(static_cast<std::size_t>(map.layer));
    return map;
}

} // namespace ts
