#pragma once
// The token-reduction options every command that runs a method shares (`merge`, `compare`):
// --method tome|pitome|atc|evit and each method's own parameters, parsed and range-checked
// before any work.
#include "app/cli_args.h"
#include "core/reduction/reduction_method.h"

#include <set>
#include <string>
#include <vector>

namespace ts::cli {

// The option names, to add to a command's valued options.
extern const std::set<std::string> kReductionOptions; // method, margin, keep-ratio, linkage, keep-rate, layers

// --method and its parameters: --margin and --keep-ratio (PiToMe), --linkage (ATC), --keep-rate
// (EViT), --layers (1-based blocks, any method but a PiToMe keep ratio). A method's option given
// with another method, a keep ratio or rate with --r or --schedule, or a value out of range is a
// one-line ts::Error. EViT with neither --r nor --keep-rate keeps 0.7 (the paper's DeiT-S setting).
ReductionOptions reductionOptionsFromArgs(const Args& args);

// A list of methods (`--methods tome,pitome` for compare, `--method tome,atc` for eval), each
// once and 1 to 4 of them, with --margin (PiToMe), --linkage (ATC) and --layers (EViT) applied.
std::vector<ReductionOptions> reductionMethodsFromArgs(const Args& args, const std::string& option);

} // namespace ts::cli
