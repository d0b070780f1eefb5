// tokenscope mask: draw an attention mask (or a zoomed region of it) from its structure, with
// its exact pair count, keys per query, cost and, for small masks, every row's key ranges.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/command_line.h"
#include "core/masks/mask_cost.h"
#include "core/masks/mask_raster.h"
#include "core/masks/mask_spec.h"
#include "core/masks/mask_work.h"
#include "core/masks/receptive_field.h"
#include "core/settings/lab_settings.h"
#include "core/tome/tome_api.h"
#include "core/tome/tome_source_map.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/mask_figure.h"
#include "ui/figures/receptive_field_figure.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <algorithm>
#include <chrono>
#include <climits>
#include <iostream>

namespace ts::cli {
namespace {

constexpr std::int64_t kMaxRowsInJson = 4096;

// "Q0:Q1,K0:K1"
MaskRegion parseRegion(const std::string& text)
{
    const auto comma = text.find(',');
    auto range = [&text](const std::string& part, std::int64_t* a, std::int64_t* b) {
        const auto colon = part.find(':');
        if (colon == std::string::npos)
            throw Error("--region: expected Q0:Q1,K0:K1, got '" + text + "'");
        *a = parseInteger(part.substr(0, colon), "--region");
        *b = parseInteger(part.substr(colon + 1), "--region");
    };
    if (comma == std::string::npos)
        throw Error("--region: expected Q0:Q1,K0:K1, got '" + text + "'");
    MaskRegion r;
    range(text.substr(0, comma), &r.q0, &r.q1);
    range(text.substr(comma + 1), &r.k0, &r.k1);
    return r;
}

// Sizes are read with a wide range so that zero and negative values reach the mask's own
// checks, which name the problem ("block must be at least 1").
std::int64_t size(const Args& args, const std::string& name, std::int64_t fallback)
{
    return args.integer(name, fallback, -kMaxMaskLength, 4 * kMaxMaskLength);
}

// The options into the settings the GUI's mask lab holds (core/settings/lab_settings.h).
MaskSettings maskSettingsFromArgs(const Args& args)
{
    MaskSettings s;
    s.kinds = {args.value("kind")};
    if (args.has("compare")) {
        const std::string list = args.value("compare");
        for (std::size_t start = 0; start <= list.size();) {
            const std::size_t comma = std::min(list.find(',', start), list.size());
            s.kinds.push_back(list.substr(start, comma - start));
            start = comma + 1;
        }
        if (s.kinds.size() > 3)
            throw Error("--compare: at most two more masks (three side by side)");
    }
    s.length = size(args, "length", 0);
    s.window = size(args, "window", 0);
    s.block = size(args, "block", 0);
    s.memory = size(args, "memory", 1);
    s.fam = size(args, "fam", 0);
    s.group = size(args, "group", 0);
    s.latents = size(args, "latents", 0);
    s.causal = !args.flag("bidirectional");
    s.autoregressive = args.flag("ar");
    s.pixels = static_cast<int>(args.integer("pixels", 1024, 1, 16384));
    s.panelSide = static_cast<int>(args.integer("panel-side", std::clamp(s.pixels, 240, 1024), 16, 16384));
    s.width = static_cast<int>(args.integer("width", 384, 1, 1 << 20));
    s.depth = static_cast<int>(args.integer("depth", s.depth, 1, 4096));
    if (args.has("region")) {
        const MaskRegion r = parseRegion(args.value("region"));
        s.region[0] = r.q0;
        s.region[1] = r.q1;
        s.region[2] = r.k0;
        s.region[3] = r.k1;
    }
    const bool tome = std::find(s.kinds.begin(), s.kinds.end(), "tome") != s.kinds.end();
    if (tome) {
        if (!args.has("image"))
            throw Error("--kind tome needs --image (the merged sequence comes from running ToMe on it)");
        s.tomeImage = args.value("image");
        s.tomeModel = modelSettingsFromArgs(args);
        s.tomeR = static_cast<int>(args.integer("r", 8, 0, 100000));
        s.tomeLayer = static_cast<int>(args.integer("layer", -1, 0, 100000));
    } else if (!args.has("length")) {
        throw Error("--length is required");
    }
    return s;
}

MaskSpec specFromSettings(const MaskSettings& settings, const std::string& kind)
{
    MaskSpec s = maskSpecOf(settings, kind);
    if (kind == "tome") {
        ToMeRequest request;
        request.model = buildVit(settings.tomeModel.source);
        request.imageRgb = loadInputImage(settings.tomeImage).rgb;
        request.normalisation = settings.tomeModel.normalisation;
        request.schedule = ToMeSchedule::constant(settings.tomeR);
        const ToMeSourceMap map = runToMeSourceMap(request, settings.tomeLayer);
        s.tokenOfPatch = map.tokenOfPatch;
        s.tomeLayer = map.layer;
        s.length = static_cast<std::int64_t>(s.tokenOfPatch.size()) + 1;
    }
    return s;
}

nlohmann::json rowsJson(const AttentionMask& mask)
{
    nlohmann::json rows = nlohmann::json::array();
    std::vector<KeyRange> row;
    for (std::int64_t q = 0; q < mask.queries(); ++q) {
        mask.keyRanges(q, row);
        nlohmann::json ranges = nlohmann::json::array();
        for (const KeyRange& r : row)
            ranges.push_back({r.begin, r.end, keyKindName(r.kind)});
        rows.push_back(std::move(ranges));
    }
    return rows;
}

nlohmann::json maskJson(const AttentionMask& mask, const MaskSpec& spec, const MaskRegion& region, int pixels, int width,
                        double renderSeconds)
{
    const KeyCountSummary keys = mask.keyCountSummary();
    const MaskCost cost = maskCost(mask, width);
    nlohmann::json j;
    j["kind"] = mask.name();
    j["label"] = mask.label();
    j["length"] = mask.dataLength();
    j["queries"] = mask.queries();
    j["keys"] = mask.keys();
    j["allowed_pairs"] = cost.allowedPairs;
    j["computed_pairs"] = cost.computedPairs;
    j["dense_pairs"] = cost.densePairs;
    j["share_of_dense"] = cost.shareOfDense;
    j["keys_per_query"] = {{"min", keys.min}, {"max", keys.max}, {"mean", keys.mean}};
    j["width"] = width;
    j["qk_flops"] = cost.qkFlops;
    j["av_flops"] = cost.avFlops;
    j["sizes"] = {{"window", spec.window}, {"block", spec.block}, {"memory", spec.memory}, {"fam", spec.fam},
                  {"group", spec.group}, {"latents", spec.latents}, {"causal", spec.causal}};
    j["region"] = {{"q0", region.q0}, {"q1", region.q1}, {"k0", region.k0}, {"k1", region.k1}};
    j["pixels"] = pixels;
    j["render_seconds"] = renderSeconds;
    if (mask.queries() <= kMaxRowsInJson)
        j["rows"] = rowsJson(mask); // [[begin, end, kind], ...] per query, end exclusive
    return j;
}

// The row walks this command will do, refused beyond `maxWork` with the numbers.
void refuseLongWork(const AttentionMask& mask, int depth, const Args& args, double maxWork)
{
    const std::int64_t query = depth > 0 ? args.integer("query", mask.queries() - 1, 0, mask.queries() - 1) : 0;
    const MaskWork work = estimateMaskWork(mask, depth, query);
    if (work.total() > maxWork)
        throw Error(mask.label() + ": walking its rows takes about " + numberText(work.total()) + " row-range visits ("
                    + numberText(work.summaryVisits) + " for the key counts"
                    + (depth > 0 ? ", " + numberText(work.receptiveFieldVisits) + " for the receptive field" : std::string())
                    + "), above the bound of " + numberText(maxWork)
                    + " (about a minute): raise it with --max-work, or use a shorter --length or smaller --memory/--depth");
}

// Every option and output path checked before any work; the outputs are written together at
// the end (all or none), so a refused run leaves no file.
void reserveMaskOutputs(const Args& args, OutputFiles& files)
{
    reserveFigure(files, QString::fromStdString(args.value("out")));
    if (args.has("rf-out")) {
        if (!args.has("depth"))
            throw Error("--rf-out needs --depth D (the receptive field over D layers)");
        reserveFigure(files, QString::fromStdString(args.value("rf-out")));
    }
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    if (args.has("query") && !args.has("depth"))
        throw Error("--query needs --depth D (the receptive field over D layers)");
}

// The masks to show (the first one is measured), their specs, and the seconds spent building them.
struct BuiltMasks {
    std::vector<std::unique_ptr<AttentionMask>> masks;
    std::vector<MaskSpec> specs;
    std::vector<const AttentionMask*> shown;
    double renderSeconds = 0; // building the masks and rasterising them (not running ToMe)
};

BuiltMasks buildMasks(MaskSettings& settings, int depth, const Args& args, double maxWork)
{
    BuiltMasks built;
    for (const std::string& kind : settings.kinds) {
        built.specs.push_back(specFromSettings(settings, kind));
        if (kind == "tome" && settings.tomeLayer < 0)
            settings.tomeLayer = built.specs.back().tomeLayer;
        const auto start = std::chrono::steady_clock::now();
        built.masks.push_back(makeMask(built.specs.back()));
        if (built.masks.size() == 1) // its rows are all walked (summary, receptive field): estimated first
            refuseLongWork(*built.masks.back(), depth, args, maxWork);
        built.shown.push_back(built.masks.back().get());
        built.renderSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    return built;
}

// The receptive field of `query` over `depth` layers into the report (and its figure when asked
// for); returns the line to print.
std::string stageReceptiveField(const AttentionMask& mask, std::int64_t query, int depth, const Args& args, double scale,
                                OutputFiles& files, nlohmann::json& report)
{
    const ReceptiveFieldData rf = receptiveFieldData(mask, query, depth);
    const ReceptiveField& last = rf.fields.back();
    report["receptive_field"] = {{"query", query},       {"depth", depth},         {"earliest", last.earliest},
                                 {"span", last.span},    {"reached", last.reachedCount},
                                 {"unbounded", last.unbounded}, {"note", last.note}};
    if (args.has("rf-out"))
        // No command: the mask command's recipe draws the mask figure, not this one.
        stageFigure(files, receptiveFieldFigure(rf, QString()), QString::fromStdString(args.value("rf-out")), scale);
    return "receptive field after " + std::to_string(depth) + " layers: " + last.note + "\n";
}

} // namespace

int runMask(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"kind",    "length", "window", "block", "memory", "fam",   "group",  "latents",
                                    "region",  "pixels", "width",  "out",   "json",   "compare", "depth", "query",
                                    "rf-out",  "image",  "r",      "layer",  "max-work", "panel-side"};
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {"bidirectional", "ar"});
    const std::string out = args.value("out");
    OutputFiles files;
    reserveMaskOutputs(args, files);
    const double scale = pngScale(args);
    MaskSettings settings = maskSettingsFromArgs(args);
    const int depth = args.has("depth") ? settings.depth : 0; // receptive field only when asked
    const double maxWork = args.number("max-work", kDefaultMaskMaxWork);
    if (!(maxWork > 0))
        throw Error("--max-work must be positive, got " + quotedForMessage(args.value("max-work"), 40));

    BuiltMasks built = buildMasks(settings, depth, args, maxWork);
    const AttentionMask& mask = *built.masks.front();
    if (settings.zoomed()) // as given, before any clipping: a region outside the mask is an error
        validateRegion(mask, MaskRegion{*settings.region[0], *settings.region[1], *settings.region[2], *settings.region[3]});
    const MaskRegion region = shownMaskRegion(mask, mask, settings);
    const auto start = std::chrono::steady_clock::now();
    const MaskFigureData figure = maskFigureData(built.shown, settings);
    const double renderSeconds =
        built.renderSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const std::int64_t query = depth > 0 ? args.integer("query", mask.queries() - 1, 0, mask.queries() - 1) : 0;
    const nlohmann::json json = maskJson(mask, built.specs.front(), region, settings.pixels, settings.width, renderSeconds);
    stageFigure(files, maskFigure(figure, settings), QString::fromStdString(out), scale);

    nlohmann::json report = json;
    const std::string rfLine = depth > 0 ? stageReceptiveField(mask, query, depth, args, scale, files, report) : "";
    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), QByteArray::fromStdString(report.dump(1)));
    files.commit();
    std::cout << rfLine;

    const nlohmann::json& keys = json["keys_per_query"]; // walked once, for the JSON
    std::cout << mask.label() << ": " << json["allowed_pairs"].get<std::int64_t>() << " allowed pairs; keys per query min "
              << keys["min"].get<std::int64_t>() << ", max " << keys["max"].get<std::int64_t>() << ", mean "
              << keys["mean"].get<double>() << "\n"
              << "rendered in " << static_cast<long long>(renderSeconds * 1000 + 0.5) << " ms; wrote " << out << "\n";
    return 0;
}

} // namespace ts::cli
