#pragma once
// FLOP config files (README "FLOP config files"): one model object, an array of them, or
// {"models": [...]}. Keys are the ArchSpec fields in snake_case; a model may start from a
// "preset" and override fields. Unknown keys, wrong types and impossible sizes are errors whose
// one-line message names the field. Torch-free.
#include "core/flops/arch_spec.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ts {

// Parses config text; `source` names it in messages ("models.json"). Throws ts::Error.
std::vector<ArchSpec> parseFlopConfig(const std::string& text, const std::string& source = "config");
// Reads and parses a file (ts::Error when it cannot be read).
std::vector<ArchSpec> loadFlopConfig(const std::string& path);

// One model as a config object (only the keys its architecture uses); parsing it gives the spec back.
nlohmann::json archSpecToJson(const ArchSpec& spec);
// `where` prefixes messages, e.g. "models.json: models[2]".
ArchSpec archSpecFromJson(const nlohmann::json& object, const std::string& where);

// Every key the parser accepts, for messages and the README.
const std::vector<std::string>& flopConfigKeys();

} // namespace ts
