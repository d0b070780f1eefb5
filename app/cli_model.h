#pragma once
// Model options shared by the commands: --preset/--checkpoint/--seed/--size.
#include "app/cli_args.h"
#include "core/io/image_io.h"
#include "core/vit/vit_api.h"

namespace ts::cli {

// Option names used by modelSourceFromArgs (add them to a command's valued options).
inline const std::set<std::string> kModelOptions = {"preset", "checkpoint", "seed", "size", "mean", "std"};

ModelSource modelSourceFromArgs(const Args& args, int defaultSize = 224);
// --mean R,G,B and --std R,G,B (ImageNet's by default).
Normalisation normalisationFromArgs(const Args& args);

} // namespace ts::cli
