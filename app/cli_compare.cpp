// tokenscope compare: token-reduction methods side by side at one FLOP budget on one image,
// each method's schedule, tokens, time and agreement with the unreduced model, as JSON, and the
// figure of their merged-token maps and token counts.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/cli_reduction.h"
#include "app/command_line.h"
#include "core/reduction/compare_api.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/compare_figure.h"
#include "ui/figures/output_files.h"

#include <QString>

#include <algorithm>

#include <iostream>
#include <sstream>

namespace ts::cli {
namespace {

// --methods tome,pitome,... and each method's parameters (--margin for PiToMe, --linkage for ATC,
// --layers for EViT), the budget and the view, into the settings the GUI's Compare lab holds.
CompareSettings compareSettingsFromArgs(const Args& args)
{
    CompareSettings s;
    s.image = args.value("image");
    s.model = modelSettingsFromArgs(args);
    s.methods.clear();
    for (const ReductionOptions& o : reductionMethodsFromArgs(args, "methods")) { // each once, 1 to 4, validated
        s.methods.push_back(o.method);
        s.margin = o.margin;
        s.linkage = o.linkage;
        if (o.method == ReductionMethod::EVit)
            s.evitLayers = o.layers;
    }
    if (args.has("gflops") == args.has("fraction"))
        throw Error("give one of --gflops G or --fraction F (of the unreduced model's FLOPs)");
    s.gflops = args.number("gflops", 0);
    s.fraction = args.number("fraction", s.fraction);
    if (args.has("gflops") && !(s.gflops > 0 && s.gflops < 1e6))
        throw Error("--gflops must be a positive number, got " + args.value("gflops"));
    if (args.has("fraction") && !(s.fraction > 0 && s.fraction <= 1))
        throw Error("--fraction must be in (0, 1], got " + args.value("fraction"));
    if (!(s.margin >= -1 && s.margin <= 1))
        throw Error("--margin must be between -1 and 1 (a cosine similarity), got " + args.value("margin"));
    s.selectedPatch = static_cast<int>(args.integer("select", -1, -1, 1 << 30));
    return s;
}

} // namespace

int runCompare(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"image", "methods", "gflops", "fraction", "margin", "linkage", "layers", "layer", "select",
                                    "json", "out"};
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {});
    if (!args.has("json") && !args.has("out"))
        throw Error("give --json OUT.json, --out FIGURE or both");
    CompareSettings settings = compareSettingsFromArgs(args);
    OutputFiles files; // checked before any work
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    if (args.has("out"))
        reserveFigure(files, QString::fromStdString(args.value("out")));
    const double scale = pngScale(args);

    CompareRequest request;
    request.model = buildVit(settings.model.source);
    const VitConfig& config = vitConfigOf(*request.model);
    settings.layer = static_cast<int>(args.integer("layer", -1, 0, config.depth));
    if (settings.selectedPatch >= config.gridSize() * config.gridSize())
        throw Error("--select: patch " + std::to_string(settings.selectedPatch) + " does not exist ("
                    + std::to_string(config.gridSize() * config.gridSize()) + " patches)");
    request.imageRgb = loadInputImage(settings.image).rgb;
    request.normalisation = settings.model.normalisation;
    request.normalisationGiven = args.has("mean") || args.has("std");
    request.methods = reductionOptionsOf(settings);
    request.targetFlops = compareTargetFlops(settings, config);
    const CompareResult result = runCompare(request);

    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), compareResultJson(result, settings));
    if (args.has("out"))
        stageFigure(files, compareFigure(result, settings), QString::fromStdString(args.value("out")), scale);
    files.commit();
    for (const MethodComparison& m : result.methods)
        std::cout << reductionMethodName(m.options.method) << ": " << m.budget.flops / 1e9 << " GFLOPs (target "
                  << request.targetFlops / 1e9 << "), cosine " << m.agreement.cosine << ", top-1 "
                  << (m.agreement.top1Same ? "same" : "differs") << "\n";
    for (const char* output : {"json", "out"})
        if (args.has(output))
            std::cout << "wrote " << args.value(output) << "\n";
    return 0;
}

} // namespace ts::cli
