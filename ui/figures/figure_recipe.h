#pragma once
// A figure's recipe from its lab settings: the settings as JSON (embedded in the file and written
// beside it) and the command made from them (core/settings/recipe_command.h). The export adds the
// output: `--out` names the exported file itself, without its folder (the command regenerates the
// file where it lies when run from that folder: Export All's folder holds what the commands
// read), and `--scale S` for a PNG exported above 1x, so the rerun gives the same pixels.
#include "ui/figures/figure_export.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ts {

// Sets recipeJson ({"lab": lab, ...settings}) and command (without the output) on `figure`.
void setFigureRecipe(Figure& figure, const char* lab, const nlohmann::json& settings, const std::vector<std::string>& arguments);

// The full command of `figure` exported to `path` at `scale` (empty when it has none).
QString figureCommandFor(const Figure& figure, const QString& path, double scale);

// Lower-case hex SHA-256 of a file, cached by path, size and modification time; empty when it
// cannot be read.
std::string fileSha256(const std::string& path);

} // namespace ts
