#pragma once
// Model options shared by the commands: --preset/--checkpoint/--seed/--size.
#include "app/cli_args.h"
#include "core/vit/vit_api.h"

namespace ts::cli {

// Option names used by modelSourceFromArgs (add them to a command's valued options).
inline const std::set<std::string> kModelOptions = {"preset", "checkpoint", "seed", "size"};

ModelSource modelSourceFromArgs(const Args& args, int defaultSize = 224);

} // namespace ts::cli
