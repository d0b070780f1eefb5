#pragma once
// The ToMe options `merge` and `attention` share: --r R, --r R --inflection X (the authors'
// parse_r) or --schedule LIST, and --no-prop-attn, read into the ToMe lab's settings.
#include "app/cli_args.h"
#include "core/settings/lab_settings.h"

#include <set>
#include <string>

namespace ts::cli {

inline const std::set<std::string> kToMeScheduleOptions = {"r", "schedule", "inflection"};

// Sets s.schedule, s.r, s.inflection, s.list and s.proportionalAttention; `defaultR` when no
// schedule is given. Throws ts::Error for --schedule with --r or --inflection.
void readToMeOptions(const Args& args, ToMeSettings& s, int defaultR);

} // namespace ts::cli
