#pragma once
// The settings of a folder evaluation (core/reduction/evaluation_api.h) as plain data, shared by
// the command line (`tokenscope eval` parses its options into one), the GUI's Evaluate Folder
// dialog (built from its fields), the session (stored and read back) and the plot's recipe (the
// command made from it). Torch- and Qt-free.
#include "core/reduction/evaluation_api.h"
#include "core/settings/lab_settings.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ts {

struct EvalSettings {
    ModelSettings model;
    std::string images;                    // the folder
    std::string labels;                    // `file,label` CSV; empty: class folders or none
    std::vector<ReductionOptions> methods; // each once: method, PiToMe's margin, ATC's linkage, EViT's layers
    std::vector<int> r;                    // one of the two lists
    std::vector<double> gflops;
};

// "eval --images DIR [--labels F] <model> --method tome,atc [--margin M] [--linkage L]
// [--layers LIST] --r 0,4,8 | --gflops 3,2.5": arguments after `tokenscope`, without outputs.
std::vector<std::string> recipeArguments(const EvalSettings& s);
// The request for `model` (built from s.model.source); progress path and batch left to the caller.
EvalRequest evalRequestOf(const EvalSettings& s, const VitModelPtr& model);

nlohmann::json toJson(const EvalSettings& s);
// Takes what is there and right; each field it could not use is one line in `problems`.
void fromJson(const nlohmann::json& j, EvalSettings& s, std::vector<std::string>& problems);

} // namespace ts
