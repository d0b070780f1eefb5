// tokenscope fam: the ViT's blocks in FAM (or BSWA) mode over an image's patches or a synthetic
// stream; the FAM's attention over one block as a figure, timing and peak memory as JSON.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/command_line.h"
#include "core/fam/fam_api.h"
#include "core/fit/fit_memory.h"
#include "core/util/error.h"
#include "ui/figures/fam_overlay_figure.h"
#include "ui/figures/figure_export.h"

#include <QString>

#include <algorithm>
#include <climits>
#include <iostream>

namespace ts::cli {
namespace {

// "block:I" (0-based block index).
int parseOverlay(const std::string& text)
{
    const std::string prefix = "block:";
    if (text.rfind(prefix, 0) != 0)
        throw Error("--overlay: expected block:I, got '" + text + "'");
    const long long i = parseInteger(text.substr(prefix.size()), "--overlay");
    if (i < 0)
        throw Error("--overlay: block index must be 0 or more, got " + std::to_string(i));
    if (i > INT32_MAX)
        throw Error("--overlay: block " + std::to_string(i) + " does not exist (block indices are below 2^31)");
    return static_cast<int>(i);
}

// The sizes, seeds and overlay from the options; the stream's sizes are checked here, before
// any model is built.
FamRequest famRequestFromArgs(const Args& args)
{
    FamRequest request;
    const long long big = 1LL << 40;
    // Sizes pass through unchecked (clamped to int) so the core's checks name the problem.
    auto size = [&args, big](const std::string& name) {
        return static_cast<int>(std::clamp<long long>(args.integer(name, -big, big), INT32_MIN, INT32_MAX));
    };
    request.withFam = !args.flag("no-fam");
    request.block = size("block");
    request.memory = size("memory");
    request.fam = request.withFam ? size("fam") : 0;
    if (args.has("stream-length"))
        request.streamLength = args.integer("stream-length", -big, big);
    request.streamSeed = static_cast<std::uint64_t>(args.integer("stream-seed", 1, 0, big));
    request.promptSeed = static_cast<std::uint64_t>(args.integer("prompt-seed", 7, 0, big));
    if (args.flag("causal"))
        request.causal = true;
    if (args.flag("bidirectional"))
        request.causal = false;
    if (args.has("overlay"))
        request.overlayBlock = parseOverlay(args.value("overlay"));
    // Checked against the block's queries by validateFamRequest.
    request.overlayQuery = static_cast<int>(args.integer("query", -1, -1, INT32_MAX));
    if (args.has("stream-length")) // refuse bad sizes before building a model
        validateFamSizes(request.streamLength, request.block, request.memory, request.fam, request.withFam);
    return request;
}

// runFam with a line on stderr every tenth of a long run.
FamResult runFamWithProgress(const FamRequest& request)
{
    RunControl control;
    int lastTenth = -1;
    control.onProgress = [&lastTenth](int done, int total, const std::string&) {
        const int tenth = total > 0 ? static_cast<int>(10LL * done / total) : 10;
        if (total >= 100 && tenth != lastTenth) {
            lastTenth = tenth;
            std::cerr << "  " << 10 * tenth << " % (" << done << "/" << total << " blocks)\n";
        }
    };
    return runFam(request, control);
}

} // namespace

int runFamCommand(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"image", "stream-length", "block", "memory", "fam", "overlay", "layer", "query", "out", "json",
                                    "stream-seed", "prompt-seed", "colour-range"};
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {"no-fam", "causal", "bidirectional"});
    const std::string out = args.value("out");
    OutputFiles files; // all outputs checked now, written together at the end (all or none)
    reserveFigure(files, QString::fromStdString(out));
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    const double scale = pngScale(args);
    if (args.has("image") == args.has("stream-length"))
        throw Error("give either --image IMG or --stream-length N");
    if (args.flag("causal") && args.flag("bidirectional"))
        throw Error("give either --causal or --bidirectional, not both");

    FamRequest request = famRequestFromArgs(args);
    FamSettings settings;
    if (args.has("colour-range")) {
        try {
            settings.range = famRangeFromName(args.value("colour-range"));
        } catch (const Error& e) {
            throw Error(std::string("--colour-range: ") + e.what());
        }
    }
    settings.model = modelSettingsFromArgs(args);
    request.model = buildVit(settings.model.source);
    const int depth = vitConfigOf(*request.model).depth;
    request.overlayLayer = static_cast<int>(args.integer("layer", depth, 1, depth)) - 1;
    if (args.has("image")) {
        settings.image = args.value("image");
        request.imageRgb = loadInputImage(settings.image).rgb;
        request.normalisation = settings.model.normalisation;
        request.normalisationGiven = args.has("mean") || args.has("std"); // else a checkpoint's side files decide
    }
    validateFamRequest(request);
    std::cerr << "estimated peak memory " << formatBytes(double(estimateFamMemoryBytes(request))) << "\n";
    settings.streamLength = request.streamLength;
    settings.causal = request.causal;
    settings.streamSeed = request.streamSeed;
    settings.promptSeed = request.promptSeed;
    const FamResult result = runFamWithProgress(request);

    // famSettingsAsRun fills the sizes, overlay block and layer from what ran.
    stageFigure(files, famOverlayFigure(result, settings), QString::fromStdString(out), scale);
    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), famResultJson(result));
    files.commit();
    std::cout << (result.withFam ? "FAM" : "BSWA") << ": " << result.length << " tokens in " << result.blocks << " blocks, "
              << result.seconds << " s, " << static_cast<long long>(result.tokensPerSecond) << " tokens/s, peak "
              << result.peakMemoryBytes << " bytes\nwrote " << out << "\n";
    return 0;
}

} // namespace ts::cli
