// tokenscope merge: ToMe on one image, the merged-token map and its data.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/command_line.h"
#include "core/io/image_io.h"
#include "core/settings/lab_settings.h"
#include "core/tome/tome_api.h"
#include "core/util/error.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/merge_map_figure.h"

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
    if (args.has("schedule")) {
        if (args.has("r") || args.has("inflection"))
            throw Error("give either --schedule or --r [--inflection], not both");
        s.schedule = ToMeSettings::Schedule::List;
        s.list = parseIntegerList(args.value("schedule"), "--schedule");
    } else if (args.has("inflection")) {
        s.schedule = ToMeSettings::Schedule::Inflection;
        s.r = static_cast<int>(args.integer("r", 0, 100000));
        s.inflection = args.number("inflection", 0);
    } else {
        s.schedule = ToMeSettings::Schedule::Constant;
        s.r = static_cast<int>(args.integer("r", 8, 0, 100000));
    }
    s.proportionalAttention = !args.flag("no-prop-attn");
    s.borders = !args.flag("no-borders");
    s.opacity = args.number("opacity", 1.0);
    if (!(s.opacity >= 0 && s.opacity <= 1))
        throw Error("--opacity must be between 0 and 1");
    s.selectedPatch = static_cast<int>(args.integer("select", -1, -1, 1 << 30));
    return s;
}

ToMeSchedule scheduleOf(const ToMeSettings& s)
{
    switch (s.schedule) {
    case ToMeSettings::Schedule::List: return ToMeSchedule::explicitList(s.list);
    case ToMeSettings::Schedule::Inflection: return ToMeSchedule::withInflection(s.r, s.inflection);
    case ToMeSettings::Schedule::Constant: break;
    }
    return ToMeSchedule::constant(s.r);
}

} // namespace

int runMerge(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"image", "r", "schedule", "inflection", "layer", "out", "json", "opacity", "select"};
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {"no-prop-attn", "no-borders"});

    const std::string out = args.value("out");
    figureFormatForPath(QString::fromStdString(out)); // refuse an unknown format before any work
    const double scale = pngScale(args);
    ToMeSettings settings = toMeSettingsFromArgs(args);

    ToMeRequest request;
    request.model = buildVit(settings.model.source);
    request.imageRgb = loadInputImage(settings.image).rgb;
    request.normalisation = settings.model.normalisation;
    request.schedule = scheduleOf(settings);
    request.proportionalAttention = settings.proportionalAttention;
    const ToMeResult result = runToMe(request);

    settings.layer = static_cast<int>(args.integer("layer", result.depth(), 0, result.depth()));
    if (settings.selectedPatch >= result.grid * result.grid)
        throw Error("--select: patch " + std::to_string(settings.selectedPatch) + " does not exist ("
                    + std::to_string(result.grid * result.grid) + " patches)");
    const Figure figure = mergeMapFigure(result, settings);
    exportFigure(figure, QString::fromStdString(out), scale);
    if (args.has("json"))
        writeFileAtomically(QString::fromStdString(args.value("json")), toMeResultJson(result));

    std::cout << "tokens:";
    for (int t : result.tokens)
        std::cout << ' ' << t;
    std::cout << "\nwrote " << out << "\n";
    return 0;
}

} // namespace ts::cli
