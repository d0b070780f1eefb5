#pragma once
// The data behind the ToMe figure as JSON, what `tokenscope merge --json` and the lab's data
// export write: tokens_per_layer, source, sizes, r_per_layer, weights, model, output, method,
// schedule, timings, FLOPs (with merging, without, analytic) and the top-5 classes.
#include "core/tome/tome_api.h"

#include <QByteArray>

namespace ts {

QByteArray toMeResultJson(const ToMeResult& result);

} // namespace ts
