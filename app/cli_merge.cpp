// tokenscope merge: ToMe on one image, the merged-token map and its data.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/command_line.h"
#include "core/io/image_io.h"
#include "core/tome/tome_api.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/merge_map_figure.h"

#include <QString>

#include <iostream>

namespace ts::cli {

int runMerge(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"image", "r", "schedule", "inflection", "layer", "out", "json", "opacity"};
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {"no-prop-attn", "no-borders"});

    const std::string imagePath = args.value("image");
    const std::string out = args.value("out");
    // Every output checked before any work (format, folder, one path each), written at the end
    // as one transaction: a failed run leaves no file.
    OutputFiles files;
    reserveFigure(files, QString::fromStdString(out));
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    const double scale = pngScale(args);
    const ModelSource source = modelSourceFromArgs(args);

    ToMeSchedule schedule;
    if (args.has("schedule")) {
        if (args.has("r") || args.has("inflection"))
            throw Error("give either --schedule or --r [--inflection], not both");
        schedule = ToMeSchedule::explicitList(parseIntegerList(args.value("schedule"), "--schedule"));
    } else if (args.has("inflection")) {
        schedule = ToMeSchedule::withInflection(static_cast<int>(args.integer("r", 0, 100000)), args.number("inflection", 0));
    } else {
        schedule = ToMeSchedule::constant(static_cast<int>(args.integer("r", 8, 0, 100000)));
    }

    MergeMapOptions options;
    options.borders = !args.flag("no-borders");
    options.opacity = args.number("opacity", 1.0);
    if (!(options.opacity >= 0 && options.opacity <= 1))
        throw Error("--opacity must be between 0 and 1, got " + quotedForMessage(args.value("opacity")));
    const Normalisation normalisation = normalisationFromArgs(args);

    ToMeRequest request;
    request.model = buildVit(source);
    const int depth = vitConfigOf(*request.model).depth;
    options.layer = static_cast<int>(args.integer("layer", depth, 0, depth));
    request.imageRgb = loadImage(imagePath).rgb;
    request.normalisation = normalisation;
    request.normalisationGiven = args.has("mean") || args.has("std"); // else a checkpoint's side files decide
    request.schedule = schedule;
    request.proportionalAttention = !args.flag("no-prop-attn");
    const ToMeResult result = runToMe(request);

    const Figure figure = mergeMapFigure(result, options, QString::fromStdString(imagePath));
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
