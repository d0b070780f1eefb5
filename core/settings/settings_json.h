#pragma once
// Lab settings <-> JSON: what sessions store per lab and what a figure's recipe embeds. Writing
// gives every field; reading takes what is there and right, keeps the default for the rest and
// reports each field it could not use (wrong type, out of range) as one line in `problems`, so a
// session from an older or newer version opens with what it can and says what it could not.
#include "core/settings/lab_settings.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ts {

nlohmann::json toJson(const ModelSettings& s);
nlohmann::json toJson(const AttentionSettings& s);
nlohmann::json toJson(const ToMeSettings& s); // with its "attention" object
nlohmann::json toJson(const CompareSettings& s);
nlohmann::json toJson(const FitSettings& s);
nlohmann::json toJson(const FamSettings& s);
nlohmann::json toJson(const MaskSettings& s);
nlohmann::json toJson(const FlopSettings& s);

// `problems` gets lines such as "opacity: expected a number between 0 and 1, got \"x\"".
void fromJson(const nlohmann::json& j, ModelSettings& s, std::vector<std::string>& problems);
void fromJson(const nlohmann::json& j, AttentionSettings& s, std::vector<std::string>& problems);
void fromJson(const nlohmann::json& j, ToMeSettings& s, std::vector<std::string>& problems);
void fromJson(const nlohmann::json& j, CompareSettings& s, std::vector<std::string>& problems);
void fromJson(const nlohmann::json& j, FitSettings& s, std::vector<std::string>& problems);
void fromJson(const nlohmann::json& j, FamSettings& s, std::vector<std::string>& problems);
void fromJson(const nlohmann::json& j, MaskSettings& s, std::vector<std::string>& problems);
void fromJson(const nlohmann::json& j, FlopSettings& s, std::vector<std::string>& problems);

} // namespace ts
