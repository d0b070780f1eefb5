// tokenscope fit: FIT on one image, the latent-token attention overlay and its data.
//   --group G --latents M --pattern STR    architecture (pattern: L(8)G(2)..., L8G2..., (8)2...)
//   --latent-width D [--latent-heads H]    latent width (default: the data width, 384)
//   --size PIXELS                          resize + centre-crop to a square first (default: as is)
//   --block K                              1-based FIT block to show (default: last with global layers)
//   --overlay group:I | latent:I,J         group I (row-major, from 0), all latents or latent J
// Blocks without global layers have no latents reading anything; the last block has no
// write-back (as in the official code).
#include "app/cli_args.h"
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/command_line.h"
#include "core/fit/fit_api.h"
#include "core/io/image_io.h"
#include "core/util/error.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/fit_overlay_figure.h"

#include <QString>

#include <cstdio>
#include <iostream>

namespace ts::cli {
namespace {

// "group:I" or "latent:I,J".
void parseOverlay(const std::string& text, FitOverlayOptions& options)
{
    const auto colon = text.find(':');
    const std::string kind = text.substr(0, colon);
    const std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (kind == "group" && !rest.empty()) {
        options.group = static_cast<int>(parseInteger(rest, "--overlay group"));
        options.latent = -1;
    } else if (kind == "latent" && !rest.empty()) {
        const std::vector<int> ij = parseIntegerList(rest, "--overlay latent");
        if (ij.size() != 2)
            throw Error("--overlay latent:I,J needs a group I and a latent J, got '" + text + "'");
        options.group = ij[0];
        options.latent = ij[1];
    } else {
        throw Error("--overlay must be group:I or latent:I,J, got '" + text + "'");
    }
    if (options.group < 0 || options.latent < -1)
        throw Error("--overlay: group and latent numbers start at 0, got '" + text + "'");
}

// The options into the settings the GUI's FIT lab holds (core/settings/lab_settings.h).
FitSettings fitSettingsFromArgs(const Args& args)
{
    FitSettings s;
    s.image = args.value("image");
    s.groupSize = static_cast<int>(args.integer("group", -1000000, 1000000));
    s.latents = static_cast<int>(args.integer("latents", -1000000, 1000000));
    s.pattern = args.value("pattern");
    s.latentWidth = static_cast<int>(args.integer("latent-width", FitConfig().dataWidth, -1000000, 1000000));
    s.latentHeads = static_cast<int>(args.integer("latent-heads", 0, -1000000, 1000000));
    s.autoregressive = args.flag("autoregressive");
    s.size = static_cast<int>(args.integer("size", 0, 0, 100000));
    s.seed = static_cast<std::uint64_t>(args.integer("seed", 0, 0, 1LL << 53));
    s.checkpoint = args.value("checkpoint", "");
    s.normalisation = normalisationFromArgs(args);
    if (args.has("block"))
        s.block = static_cast<int>(args.integer("block", 1, 100000)) - 1;
    if (args.has("overlay")) {
        FitOverlayOptions overlay;
        parseOverlay(args.value("overlay"), overlay);
        s.group = overlay.group;
        s.latent = overlay.latent;
    }
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

} // namespace

int runFitCommand(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"image", "checkpoint", "checkpoint-sha256", "group", "latents", "pattern", "latent-width", "latent-heads",
                     "size", "block", "overlay", "out", "json", "seed", "chunk-tokens", "save-checkpoint", "scale", "dpi", "mean",
                     "std"},
                    {"autoregressive"});
    const std::string out = args.value("out");
    figureFormatForPath(QString::fromStdString(out)); // refuse an unknown format before any work
    const double scale = pngScale(args);

    FitSettings settings = fitSettingsFromArgs(args);
    const std::string imagePath = settings.image;
    FitRequest request;
    FitConfig& c = request.config;
    c = fitConfigOf(settings);
    c.validate(); // zero latents, bad pattern, ... before the image is read
    request.size = settings.size;
    request.seed = settings.seed;
    request.normalisation = settings.normalisation;
    request.chunkTokens = static_cast<int>(args.integer("chunk-tokens", request.chunkTokens, 1, 1 << 24));
    request.checkpoint = settings.checkpoint;
    settings.checkpointSha256 = checkedCheckpointSha256(args, settings.checkpoint);
    request.saveCheckpointTo = args.value("save-checkpoint", "");

    FitOverlayOptions overlay = fitOverlayOptions(settings);

    ImageLoadOptions loadOptions;
    loadOptions.maxPixels = 8192LL * 8192LL;
    request.imageRgb = loadInputImage(imagePath, loadOptions).rgb;

    // Record only what the overlay needs: the chosen block and group.
    const Grouping grouping = fitGroupingFor(request);
    const LayerPattern pattern = parseLayerPattern(c.pattern);
    if (overlay.block < 0) {
        for (int b = static_cast<int>(pattern.blocks.size()) - 1; b >= 0 && overlay.block < 0; --b)
            if (pattern.blocks[static_cast<std::size_t>(b)].global > 0)
                overlay.block = b;
        if (overlay.block < 0)
            throw Error("pattern " + pattern.text() + " has no global layers: there is no latent attention to show");
    }
    if (overlay.group < 0)
        overlay.group = centreGroup(grouping);
    if (overlay.group >= grouping.groups())
        throw Error("--overlay: group " + std::to_string(overlay.group) + " does not exist (the image has " +
                    std::to_string(grouping.groups()) + " groups)");
    request.record.enabled = true;
    request.record.blocks = {overlay.block};
    request.record.group = overlay.group;

    const MemoryEstimate estimate = estimateFitRun(request);
    requireMemory(estimate, 0, "FIT"); // refuse before printing anything else
    std::fprintf(stderr, "FIT: %d x %d patches, %d groups of %d tokens, %d latents each; estimated peak %s\n",
                 grouping.gridCols(), grouping.gridRows(), grouping.groups(), grouping.tokensPerGroup(), c.latentsPerGroup,
                 formatBytes(estimate.totalBytes()).c_str());
    int lastPercent = -1;
    RunControl control{[&](int done, int total, const std::string& what) {
                           const int percent = total > 0 ? done * 100 / total : 0;
                           if (percent != lastPercent) {
                               lastPercent = percent;
                               std::fprintf(stderr, "\r%3d%% %-60s", percent, what.c_str());
                           }
                       },
                       {}};
    const FitResult result = runFit(request, control);
    std::fprintf(stderr, "\n");

    settings.block = overlay.block;
    settings.group = overlay.group;
    settings.latent = overlay.latent;
    const Figure figure = fitOverlayFigure(result, settings);
    exportFigure(figure, QString::fromStdString(out), scale);
    if (args.has("json"))
        writeFileAtomically(QString::fromStdString(args.value("json")), fitResultJson(result, overlay));
    std::printf("groups %d, tokens per group %d, latents per group %d, pattern %s\n", result.groups(), result.tokensPerGroup(),
                result.latentsPerGroup(), result.pattern.text().c_str());
    std::printf("seconds %.3f, peak memory %s (estimated %s)\nwrote %s\n", result.seconds,
                formatBytes(double(result.peakMemoryBytes)).c_str(), formatBytes(double(result.estimatedMemoryBytes)).c_str(),
                out.c_str());
    return 0;
}

} // namespace ts::cli
