// tokenscope merge: a token-reduction method (ToMe by default) on one image, the merged-token
// map and its data.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/cli_reduction.h"
#include "app/cli_tome_options.h"
#include "app/command_line.h"
#include "core/io/image_io.h"
#include "core/settings/lab_settings.h"
#include "core/tome/tome_api.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/merge_map_figure.h"
#include "ui/figures/tome_result_json.h"

#include <QString>

#include <iostream>

namespace ts::cli {
namespace {

// The options into the settings the GUI's ToMe lab holds (core/settings/lab_settings.h).
ToMeSettings toMeSettingsFromArgs(const Args& args)
{
    ToMeSettings s;
    s.image = args.value("image");
    s.model = modelSettingsFromArgs(args);
    readToMeOptions(args, s, 8);
    s.reduction = reductionOptionsFromArgs(args);
    s.borders = !args.flag("no-borders");
    s.opacity = args.number("opacity", 1.0);
    if (!(s.opacity >= 0 && s.opacity <= 1))
        throw Error("--opacity must be between 0 and 1, got " + quotedForMessage(args.value("opacity")));
    if (args.has("colours")) {
        try {
            s.colours = toMeColoursFromName(args.value("colours"));
        } catch (const Error& e) {
            throw Error(std::string("--colours: ") + e.what());
        }
    }
    s.selectedPatch = static_cast<int>(args.integer("select", -1, -1, 1 << 30));
    return s;
}

} // namespace

int runMerge(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"image", "layer", "out", "json", "opacity", "colours", "select"};
    valued.insert(kToMeScheduleOptions.begin(), kToMeScheduleOptions.end());
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    valued.insert(kReductionOptions.begin(), kReductionOptions.end());
    const Args args(argv, valued, {"no-prop-attn", "no-borders"});

    const std::string out = args.value("out");
    // Every output checked before any work (format, folder, one path each), written at the end
    // as one transaction: a failed run leaves no file.
    OutputFiles files;
    reserveFigure(files, QString::fromStdString(out));
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    const double scale = pngScale(args);
    ToMeSettings settings = toMeSettingsFromArgs(args);

    ToMeRequest request;
    request.model = buildVit(settings.model.source);
    // The layer and the selection are checked against the model before the run.
    const VitConfig& config = vitConfigOf(*request.model);
    settings.layer = static_cast<int>(args.integer("layer", config.depth, 0, config.depth));
    settings.reduction.validate(config.depth);
    const int patches = config.gridSize() * config.gridSize();
    if (settings.selectedPatch >= patches)
        throw Error("--select: patch " + std::to_string(settings.selectedPatch) + " does not exist ("
                    + std::to_string(patches) + " patches)");
    request.imageRgb = loadInputImage(settings.image).rgb;
    request.normalisation = settings.model.normalisation;
    request.normalisationGiven = args.has("mean") || args.has("std"); // else a checkpoint's side files decide
    request.schedule = toMeScheduleOf(settings);
    request.reduction = settings.reduction;
    request.proportionalAttention = settings.proportionalAttention;
    const ToMeResult result = runToMe(request);

    const Figure figure = mergeMapFigure(result, settings);
    stageFigure(files, figure, QString::fromStdString(out), scale);
    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), toMeResultJson(result));
    files.commit();

    std::cout << "tokens:";
    for (int t : result.tokens)
        std::cout << ' ' << t;
    std::cout << "\nwrote " << out << "\n";
    return 0;
}

} // namespace ts::cli
