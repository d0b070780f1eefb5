#pragma once
// The one place where a figure's `tokenscope` command is made from its lab settings. Each lab's
// arguments name every setting that changes the picture (model source and its checkpoint's
// SHA-256, normalisation when not ImageNet's, input size, lab parameters, view state), in the
// options the command line parses back into the same settings; the output (`--out`, and `--scale`
// for a PNG) is added by the figure export (ui/figures/figure_export.h), which alone knows the
// file. So "the recipe's command draws the exported figure" holds by construction, and tests
// check it end to end (tests/ui/tst_recipes.cpp).
#include "core/settings/lab_settings.h"

#include <string>
#include <vector>

namespace ts {

// Arguments after `tokenscope`, starting with the command's name ("merge", "compare", "fit", "fam",
// "mask", "flops"). Numbers are written so they read back to the same value (shortest round-trip form).
std::vector<std::string> recipeArguments(const ToMeSettings& s);
// The ToMe lab's attention figure ("attention": its block, head or mean, rollout, colour range;
// normalisation as --norm-mean / --norm-std, since --mean is the head mean there).
std::vector<std::string> attentionRecipeArguments(const ToMeSettings& s);
// `compare`: the methods, the budget (--gflops, else --fraction), each named method's own
// parameters, the block shown (--layer) and the selected patch (--select).
std::vector<std::string> recipeArguments(const CompareSettings& s);
std::vector<std::string> recipeArguments(const FitSettings& s);
std::vector<std::string> recipeArguments(const FamSettings& s);
std::vector<std::string> recipeArguments(const MaskSettings& s);
std::vector<std::string> recipeArguments(const FlopSettings& s);

// The model's options (--preset/--seed or --checkpoint [--checkpoint-sha256], --size, --mean/--std
// when not ImageNet's) as every image command reads them.
std::vector<std::string> modelRecipeArguments(const ModelSettings& m);

// The file name the FLOP command reads custom models from (written beside exported figures).
inline constexpr const char* kCustomFlopModelsFile = "flop_models.json";

// "tokenscope a 'b c' ...": each argument quoted for a POSIX shell where it needs it.
std::string commandLine(const std::vector<std::string>& args);
std::string shellQuote(const std::string& arg);
// Splits a command line made by commandLine back into arguments (single quotes, '\'' escapes,
// plain words); for tests and tools that rerun a recipe without a shell.
std::vector<std::string> splitCommandLine(const std::string& line);

// A double or float in its shortest form that reads back to the same value ("0.5", "1e-07").
std::string exactNumber(double v);
std::string exactNumber(float v);

} // namespace ts
