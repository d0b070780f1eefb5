#pragma once
// The PNG resolution options every figure-writing command shares: `--scale S` (S times the
// figure's natural size) or `--dpi N` (scale N / 96, and N DPI in the PNG's metadata).
#include "app/cli_args.h"

#include <set>
#include <string>

namespace ts::cli {

inline const std::set<std::string> kPngResolutionOptions = {"scale", "dpi"};
// Below a quarter of its natural size a figure's text is unreadable (--scale 0.001 once gave a
// 1 x 1 PNG): the command line refuses it.
constexpr double kMinCommandScale = 0.25;

// The PNG scale the options ask for (1 when neither is given). Throws ts::Error for both at once,
// a non-positive or too large value.
double pngScale(const Args& args);

} // namespace ts::cli
