#pragma once
// Model options shared by the commands: --preset/--checkpoint/--seed/--size, --mean/--std, and
// --checkpoint-sha256 (a recipe's provenance: the file must have that hash).
#include "app/cli_args.h"
#include "core/io/image_io.h"
#include "core/settings/lab_settings.h"
#include "core/vit/vit_api.h"

namespace ts::cli {

// Option names used by modelSourceFromArgs (add them to a command's valued options).
inline const std::set<std::string> kModelOptions = {"preset", "checkpoint", "checkpoint-sha256", "seed", "size", "mean", "std"};

// The normalisation options' names: --mean and --std, except where --mean means something else
// (`attention`: the head mean; there they are --norm-mean and --norm-std).
struct NormalisationOptions {
    std::string mean = "mean", std = "std";
};
inline const NormalisationOptions kAttentionNormalisation{"norm-mean", "norm-std"};

ModelSource modelSourceFromArgs(const Args& args, int defaultSize = 224);
// --mean R,G,B and --std R,G,B (ImageNet's by default).
Normalisation normalisationFromArgs(const Args& args, const NormalisationOptions& names = {});
// Source, normalisation and the checkpoint's SHA-256 (checked against --checkpoint-sha256 when
// given: "checkpoint F has SHA-256 X, the recipe expects Y").
ModelSettings modelSettingsFromArgs(const Args& args, int defaultSize = 224, const NormalisationOptions& names = {});
// The SHA-256 of `path`, checked against --checkpoint-sha256 when given.
std::string checkedCheckpointSha256(const Args& args, const std::string& path);
// An input image: a file, or a bundled one (":/images/astronaut.png", as the app's recipes name it).
LoadedImage loadInputImage(const std::string& path, const ImageLoadOptions& options = {});

} // namespace ts::cli
