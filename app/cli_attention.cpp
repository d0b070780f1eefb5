// tokenscope attention: where the class token looks in one block (one head or the mean), or its
// attention rollout, drawn on the model's input patches with ToMe's merging as `merge` runs it;
// the same figure the ToMe lab's attention view shows (ui/figures/attention_figure.h), as PNG,
// SVG or PDF with its recipe.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/cli_reduction.h"
#include "app/cli_tome_options.h"
#include "app/command_line.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "core/vit/attention_record.h"
#include "ui/figures/attention_figure.h"
#include "ui/figures/figure_export.h"

#include <QString>

#include <iostream>

namespace ts::cli {
namespace {

// The options into the ToMe lab's settings (core/settings/lab_settings.h); the block is checked
// against the model later.
ToMeSettings attentionSettingsFromArgs(const Args& args)
{
    if (args.has("head") && args.flag("mean"))
        throw Error("give either --head H or --mean, not both");
    ToMeSettings s;
    s.image = args.value("image");
    s.model = modelSettingsFromArgs(args, 224, kAttentionNormalisation);
    readToMeOptions(args, s, 0);
    s.reduction = reductionOptionsFromArgs(args);
    AttentionSettings& a = s.attention;
    a.shown = true;
    a.block = static_cast<int>(args.integer("block", 1, 4096)) - 1;
    a.head = args.has("head") ? static_cast<int>(args.integer("head", 0, 4095)) : -1;
    a.rollout = args.flag("rollout");
    const std::string range = args.value("colour-range", "data");
    if (range != "data" && range != "from-zero")
        throw Error("--colour-range must be data or from-zero, got " + quotedForMessage(range));
    a.range = range == "data" ? AttentionSettings::Range::Data : AttentionSettings::Range::FromZero;
    return s;
}

} // namespace

int runAttentionCommand(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"image", "block", "head", "out", "json", "colour-range", "norm-mean", "norm-std"};
    valued.insert(kToMeScheduleOptions.begin(), kToMeScheduleOptions.end());
    valued.insert(kReductionOptions.begin(), kReductionOptions.end());
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.erase("mean"); // --mean is the head mean here: normalisation is --norm-mean / --norm-std
    valued.erase("std");
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {"mean", "rollout", "no-prop-attn"});

    // Every output checked before any work, written together at the end (a failed run leaves none).
    const std::string out = args.value("out");
    OutputFiles files;
    reserveFigure(files, QString::fromStdString(out));
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    const double scale = pngScale(args);
    const ToMeSettings settings = attentionSettingsFromArgs(args);

    AttentionRequest request;
    request.model = buildVit(settings.model.source);
    request.imageRgb = loadInputImage(settings.image).rgb;
    request.normalisation = settings.model.normalisation;
    request.normalisationGiven = args.has("norm-mean") || args.has("norm-std"); // else a checkpoint's side files decide
    request.schedule = toMeScheduleOf(settings);
    request.reduction = settings.reduction;
    request.proportionalAttention = settings.proportionalAttention;
    request.block = settings.attention.block;
    request.head = settings.attention.head;
    request.rollout = settings.attention.rollout;
    const AttentionResult result = runAttention(request);

    stageFigure(files, attentionFigure(result, settings), QString::fromStdString(out), scale);
    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), attentionResultJson(result, request.rollout));
    files.commit();
    std::cout << "block " << result.block + 1 << ", " << result.tokens << " tokens" << (result.merged ? " (merged)" : "")
              << "\nwrote " << out << "\n";
    return 0;
}

} // namespace ts::cli
