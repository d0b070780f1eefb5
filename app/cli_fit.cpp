// tokenscope fit: FIT on one image, the latent-token attention overlay and its data.
//   --group G --latents M --pattern STR    architecture (pattern: L(8)G(2)..., L8G2..., (8)2...)
//   --latent-width D [--latent-heads H]    latent width (default: the data width, 384)
//   --size PIXELS                          resize + centre-crop to a square first (default: as is)
//   --block K                              1-based FIT block to show (default: last with global layers)
//   --overlay group:I | latent:I,J         group I (row-major, from 0), all latents or latent J
//   --colour-range fixed | data            colour bars from 0 to the largest value over every block
//                                          (default, frames compare) or each map's own range
// Blocks without global layers have no latents reading anything; the last block has no
// write-back (as in the official code).
#include "app/cli_args.h"
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/command_line.h"
#include "core/fit/fit_api.h"
#include "core/io/image_io.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/fit_overlay_figure.h"

#include <QString>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <iostream>

namespace ts::cli {
namespace {

// "group:I" or "latent:I,J", read as written (no narrowing to int before the range checks).
struct OverlayChoice {
    long long group = -1, latent = -1; // -1: the centre group / all latents
};

OverlayChoice parseOverlay(const std::string& text)
{
    const auto colon = text.find(':');
    const std::string kind = text.substr(0, colon);
    const std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
    OverlayChoice choice;
    if (kind == "group" && !rest.empty()) {
        choice.group = parseInteger(rest, "--overlay group");
    } else if (kind == "latent" && !rest.empty()) {
        const auto comma = rest.find(',');
        if (comma == std::string::npos)
            throw Error("--overlay latent:I,J needs a group I and a latent J, got " + quotedForMessage(text, 60));
        choice.group = parseInteger(rest.substr(0, comma), "--overlay latent");
        choice.latent = parseInteger(rest.substr(comma + 1), "--overlay latent");
    } else {
        throw Error("--overlay must be group:I or latent:I,J, got " + quotedForMessage(text, 60));
    }
    if (choice.group < 0 || (kind == "latent" && choice.latent < 0))
        throw Error("--overlay: group and latent numbers start at 0, got " + quotedForMessage(text, 60));
    return choice;
}

// The options into the settings the GUI's FIT lab holds (core/settings/lab_settings.h).
FitSettings fitSettingsFromArgs(const Args& args)
{
    FitSettings s;
    s.image = args.value("image");
    // The bounds are FitConfig::validate's own, so a message states the real limits.
    s.groupSize = static_cast<int>(args.integer("group", 1, 256));
    s.latents = static_cast<int>(args.integer("latents", 1, 4096));
    s.pattern = args.value("pattern");
    s.latentWidth = static_cast<int>(args.integer("latent-width", FitConfig().dataWidth, 1, 8192));
    s.latentHeads = static_cast<int>(args.integer("latent-heads", 0, 0, 128)); // 0: from the latent width
    s.autoregressive = args.flag("autoregressive");
    s.size = static_cast<int>(args.integer("size", 0, 0, 100000));
    s.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
    s.checkpoint = args.value("checkpoint", "");
    s.normalisation = normalisationFromArgs(args);
    if (args.has("block"))
        s.block = static_cast<int>(args.integer("block", 1, 100000)) - 1;
    if (args.has("overlay")) { // range-checked against the model in runFitCommand
        const OverlayChoice choice = parseOverlay(args.value("overlay"));
        s.group = static_cast<int>(std::min<long long>(choice.group, INT_MAX));
        s.latent = static_cast<int>(std::min<long long>(choice.latent, INT_MAX));
    }
    const std::string range = args.value("colour-range", "fixed");
    if (range != "fixed" && range != "data")
        throw Error("--colour-range must be fixed or data, got " + quotedForMessage(range));
    s.range = range == "fixed" ? FitSettings::Range::Fixed : FitSettings::Range::Data;
    return s;
}

FitConfig fitConfigOf(const FitSettings& s)
{
    FitConfig c;
    c.groupSize = s.groupSize;
    c.latentsPerGroup = s.latents;
    c.pattern = s.pattern;
    c.latentWidth = s.latentWidth;
    // 0: the data width's heads, else one head per 64 channels (as the GUI does).
    c.latentHeads = s.latentHeads != 0 ? s.latentHeads : c.latentWidth == c.dataWidth ? c.heads : std::max(1, c.latentWidth / 64);
    c.autoregressive = s.autoregressive;
    return c;
}

// The request from the settings and the remaining options, checked before the image is read.
FitRequest fitRequestOf(const Args& args, FitSettings& settings, OutputFiles& files)
{
    FitRequest request;
    FitConfig& c = request.config;
    c = fitConfigOf(settings);
    c.validate(); // zero latents, bad pattern, ... before the image is read
    request.size = settings.size;
    request.seed = settings.seed;
    request.normalisation = settings.normalisation;
    request.normalisationGiven = args.has("mean") || args.has("std"); // else a ViT checkpoint's side files decide
    request.chunkTokens = static_cast<int>(args.integer("chunk-tokens", request.chunkTokens, 1, 1 << 24));
    request.checkpoint = settings.checkpoint;
    settings.checkpointSha256 = checkedCheckpointSha256(args, settings.checkpoint);
    request.saveCheckpointTo = args.value("save-checkpoint", "");
    if (!request.saveCheckpointTo.empty()) // written by runFit itself (atomically); checked here first
        files.reserve(QString::fromStdString(request.saveCheckpointTo));
    return request;
}

// The block and group to show, checked against the pattern and the image's grouping, and what
// to record: only what the overlay needs, the chosen group in every block (the fixed colour
// range spans them all, as in the GUI, which records everything).
void chooseOverlay(FitRequest& request, const Grouping& grouping, const OverlayChoice& choice, FitOverlayOptions& overlay)
{
    const LayerPattern pattern = parseLayerPattern(request.config.pattern);
    if (overlay.block < 0) {
        for (int b = static_cast<int>(pattern.blocks.size()) - 1; b >= 0 && overlay.block < 0; --b)
            if (pattern.blocks[static_cast<std::size_t>(b)].global > 0)
                overlay.block = b;
        if (overlay.block < 0)
            throw Error("pattern " + pattern.text() + " has no global layers: there is no latent attention to show");
    }
    if (overlay.block >= static_cast<int>(pattern.blocks.size()))
        throw Error("--block " + std::to_string(overlay.block + 1) + " does not exist (pattern " + pattern.text() + " has "
                    + std::to_string(pattern.blocks.size()) + " blocks)");
    if (choice.group >= grouping.groups())
        throw Error("--overlay: group " + std::to_string(choice.group) + " does not exist (the image has " +
                    std::to_string(grouping.groups()) + " groups, 0 to " + std::to_string(grouping.groups() - 1) + ")");
    overlay.group = choice.group < 0 ? centreGroup(grouping) : static_cast<int>(choice.group);
    request.record.enabled = true;
    request.record.blocks = {};
    request.record.group = overlay.group;
}

// Refuses a run that does not fit in memory, else prints its sizes and estimated peak.
void announceFitRun(const FitRequest& request, const Grouping& grouping)
{
    const MemoryEstimate estimate = estimateFitRun(request);
    requireMemory(estimate, 0, "FIT"); // refuse before printing anything else
    std::fprintf(stderr, "FIT: %d x %d patches, %d groups of %d tokens, %d latents each; estimated peak %s\n",
                 grouping.gridCols(), grouping.gridRows(), grouping.groups(), grouping.tokensPerGroup(),
                 request.config.latentsPerGroup, formatBytes(estimate.totalBytes()).c_str());
}

// runFit with a percentage on stderr.
FitResult runFitWithProgress(const FitRequest& request)
{
    int lastPercent = -1;
    // The progress line is rewritten in place ("\r"); it is ended before anything else is
    // printed, an error included, so every message starts on its own line.
    struct EndProgressLine {
        bool open = false;
        ~EndProgressLine()
        {
            if (open)
                std::fprintf(stderr, "\n");
        }
    } progressLine;
    RunControl control{[&](int done, int total, const std::string& what) {
                           const int percent = total > 0 ? int(std::int64_t(done) * 100 / total) : 0;
                           if (percent != lastPercent) {
                               lastPercent = percent;
                               progressLine.open = true;
                               std::fprintf(stderr, "\r%3d%% %-60s", percent, what.c_str());
                           }
                       },
                       {}};
    FitResult result = runFit(request, control);
    if (progressLine.open)
        std::fprintf(stderr, "\n");
    progressLine.open = false;
    return result;
}

} // namespace

int runFitCommand(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"image", "checkpoint", "checkpoint-sha256", "group", "latents", "pattern", "latent-width", "latent-heads",
                     "size", "block", "overlay", "colour-range", "out", "json", "seed", "chunk-tokens", "save-checkpoint", "scale", "dpi", "mean",
                     "std"},
                    {"autoregressive"});
    const std::string out = args.value("out");
    OutputFiles files; // every output checked now, all written together at the end (all or none)
    reserveFigure(files, QString::fromStdString(out));
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    const double scale = pngScale(args);

    FitSettings settings = fitSettingsFromArgs(args);
    FitRequest request = fitRequestOf(args, settings, files);
    const int latents = request.config.latentsPerGroup;
    FitOverlayOptions overlay = fitOverlayOptions(settings);
    const OverlayChoice choice = args.has("overlay") ? parseOverlay(args.value("overlay")) : OverlayChoice{};
    // The latent is checked against the architecture now, not after the whole run.
    if (choice.latent >= latents)
        throw Error("--overlay: latent " + std::to_string(choice.latent) + " does not exist (each group has "
                    + std::to_string(latents) + " latents, 0 to " + std::to_string(latents - 1) + ")");
    overlay.latent = static_cast<int>(choice.latent);

    ImageLoadOptions loadOptions;
    loadOptions.maxPixels = 8192LL * 8192LL;
    request.imageRgb = loadInputImage(settings.image, loadOptions).rgb;
    const Grouping grouping = fitGroupingFor(request);
    chooseOverlay(request, grouping, choice, overlay);
    announceFitRun(request, grouping);
    const FitResult result = runFitWithProgress(request);

    settings.block = overlay.block;
    settings.group = overlay.group;
    settings.latent = overlay.latent;
    const Figure figure = fitOverlayFigure(result, settings);
    stageFigure(files, figure, QString::fromStdString(out), scale);
    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), fitResultJson(result, overlay));
    files.commit();
    std::printf("groups %d, tokens per group %d, latents per group %d, pattern %s\n", result.groups(), result.tokensPerGroup(),
                result.latentsPerGroup(), result.pattern.text().c_str());
    std::printf("seconds %.3f, peak memory %s (estimated %s)\nwrote %s\n", result.seconds,
                formatBytes(double(result.peakMemoryBytes)).c_str(), formatBytes(double(result.estimatedMemoryBytes)).c_str(),
                out.c_str());
    return 0;
}

} // namespace ts::cli
