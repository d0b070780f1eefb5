#include "core/settings/settings_json.h"

#include "core/settings/settings_reader.h"

#include <algorithm>
#include <cmath>

namespace ts {
namespace {

using nlohmann::json;
using settings_detail::Reader;

json triple(const float* v) { return json::array({v[0], v[1], v[2]}); }

void readTriple(Reader& r, const char* key, float* out, bool positive)
{
    if (!r.has(key))
        return;
    const json& v = r.at(key);
    float values[3];
    bool ok = v.is_array() && v.size() == 3;
    for (std::size_t c = 0; ok && c < 3; ++c) {
        ok = v[c].is_number();
        if (ok) {
            // Checked as the float it becomes (1e79 overflows, 1e-50 underflows to zero).
            values[c] = static_cast<float>(v[c].get<double>());
            ok = std::isfinite(values[c]) && (!positive || values[c] > 0);
        }
    }
    if (!ok)
        return r.report(key, std::string("expected three finite numbers") + (positive ? " above 0" : "") + ", got " + v.dump());
    for (int c = 0; c < 3; ++c)
        out[c] = values[c];
}

void readNormalisation(Reader& r, Normalisation& n)
{
    readTriple(r, "mean", n.mean, false);
    readTriple(r, "std", n.std, true);
}

} // namespace

json toJson(const ModelSettings& s)
{
    return {{"preset", s.source.preset},
            {"image_size", s.source.imageSize},
            {"seed", std::to_string(s.source.seed)},
            {"checkpoint", s.source.checkpoint},
            {"checkpoint_sha256", s.checkpointSha256},
            {"mean", triple(s.normalisation.mean)},
            {"std", triple(s.normalisation.std)}};
}

void fromJson(const json& j, ModelSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems, "model.");
    r.text("preset", s.source.preset);
    r.integer("image_size", s.source.imageSize, 16, 8192);
    r.unsignedInteger("seed", s.source.seed);
    r.text("checkpoint", s.source.checkpoint);
    r.text("checkpoint_sha256", s.checkpointSha256);
    readNormalisation(r, s.normalisation);
}

json toJson(const FitSettings& s)
{
    return {{"image", s.image},
            {"seed", std::to_string(s.seed)},
            {"checkpoint", s.checkpoint},
            {"checkpoint_sha256", s.checkpointSha256},
            {"mean", triple(s.normalisation.mean)},
            {"std", triple(s.normalisation.std)},
            {"group_size", s.groupSize},
            {"latents", s.latents},
            {"latent_width", s.latentWidth},
            {"latent_heads", s.latentHeads},
            {"pattern", s.pattern},
            {"size", s.size},
            {"autoregressive", s.autoregressive},
            {"block", s.block},
            {"group", s.group},
            {"latent", s.latent},
            {"range", s.range == FitSettings::Range::Fixed ? "fixed" : "data"}};
}

void fromJson(const json& j, FitSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems);
    r.text("image", s.image);
    r.unsignedInteger("seed", s.seed);
    r.text("checkpoint", s.checkpoint);
    r.text("checkpoint_sha256", s.checkpointSha256);
    readNormalisation(r, s.normalisation);
    r.integer("group_size", s.groupSize, 1, 1 << 20);
    r.integer("latents", s.latents, 1, 1 << 20);
    r.integer("latent_width", s.latentWidth, 1, 1 << 20);
    r.integer("latent_heads", s.latentHeads, 0, 1 << 20);
    r.text("pattern", s.pattern);
    r.integer("size", s.size, 0, 1 << 20);
    r.boolean("autoregressive", s.autoregressive);
    r.integer("block", s.block, -1, 1 << 20);
    r.integer("group", s.group, -1, 1 << 30);
    r.integer("latent", s.latent, -1, 1 << 20);
    if (r.has("range")) {
        const json& v = r.at("range");
        if (v == "fixed" || v == "data")
            s.range = v == "fixed" ? FitSettings::Range::Fixed : FitSettings::Range::Data;
        else
            r.report("range", "expected fixed or data, got " + v.dump());
    }
}

json toJson(const FamSettings& s)
{
    return {{"model", toJson(s.model)},
            {"image", s.image},
            {"stream_length", s.streamLength},
            {"block", s.block},
            {"memory", s.memory},
            {"fam", s.fam},
            {"with_fam", s.withFam},
            {"causal", s.causal ? json(*s.causal) : json(nullptr)},
            {"stream_seed", std::to_string(s.streamSeed)},
            {"prompt_seed", std::to_string(s.promptSeed)},
            {"overlay_block", s.overlayBlock},
            {"layer", s.layer},
            {"query", s.query},
            {"range", famRangeName(s.range)}};
}

void fromJson(const json& j, FamSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems);
    if (r.has("model"))
        fromJson(r.at("model"), s.model, problems);
    r.text("image", s.image);
    r.integer("stream_length", s.streamLength, 0, 1LL << 40);
    r.integer("block", s.block, 1, 1 << 30);
    r.integer("memory", s.memory, 0, 1 << 30);
    r.integer("fam", s.fam, 0, 1 << 30);
    r.boolean("with_fam", s.withFam);
    if (r.has("causal")) {
        bool c = true;
        r.boolean("causal", c);
        if (r.at("causal").is_boolean())
            s.causal = c;
    }
    r.unsignedInteger("stream_seed", s.streamSeed);
    r.unsignedInteger("prompt_seed", s.promptSeed);
    r.integer("overlay_block", s.overlayBlock, 0, 1 << 30);
    r.integer("layer", s.layer, 1, 4096);
    r.integer("query", s.query, -1, 1 << 30);
    r.named("range", s.range, famRangeFromName);
}

json toJson(const MaskSettings& s)
{
    json region = nullptr;
    if (s.zoomed())
        region = json::array({*s.region[0], *s.region[1], *s.region[2], *s.region[3]});
    json j = {{"kinds", s.kinds},       {"length", s.length},   {"window", s.window},     {"block", s.block},
            {"memory", s.memory},     {"fam", s.fam},         {"group", s.group},       {"latents", s.latents},
            {"causal", s.causal},     {"autoregressive", s.autoregressive},             {"width", s.width},
            {"depth", s.depth},       {"region", region},     {"pixels", s.pixels},     {"panel_side", s.panelSide}};
    if (!s.tomeImage.empty()) {
        j["tome_image"] = s.tomeImage;
        j["tome_model"] = toJson(s.tomeModel);
        j["tome_r"] = s.tomeR;
        j["tome_layer"] = s.tomeLayer;
    }
    return j;
}

void fromJson(const json& j, MaskSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems);
    std::vector<std::string> kinds;
    if (r.list("kinds", kinds)) {
        if (kinds.empty() || kinds.size() > 3)
            r.report("kinds", "expected one to three mask kinds");
        else
            s.kinds = kinds;
    }
    const long long big = 4'000'000'000LL;
    r.integer("length", s.length, -big, big);
    r.integer("window", s.window, -big, big);
    r.integer("block", s.block, -big, big);
    r.integer("memory", s.memory, -big, big);
    r.integer("fam", s.fam, -big, big);
    r.integer("group", s.group, -big, big);
    r.integer("latents", s.latents, -big, big);
    r.boolean("causal", s.causal);
    r.boolean("autoregressive", s.autoregressive);
    r.integer("width", s.width, 1, 1 << 20);
    r.integer("depth", s.depth, 1, 4096);
    if (r.has("region")) {
        const json& v = r.at("region");
        bool ok = v.is_array() && v.size() == 4;
        for (std::size_t i = 0; ok && i < 4; ++i)
            ok = v[i].is_number_integer() && v[i].get<long long>() >= 0;
        if (ok && v[0].get<long long>() < v[1].get<long long>() && v[2].get<long long>() < v[3].get<long long>())
            for (std::size_t i = 0; i < 4; ++i)
                s.region[i] = v[i].get<std::int64_t>();
        else
            r.report("region", "expected [q0, q1, k0, k1] with q0 < q1 and k0 < k1, got " + v.dump());
    }
    r.integer("pixels", s.pixels, 1, 16384);
    r.integer("panel_side", s.panelSide, 16, 16384);
    r.text("tome_image", s.tomeImage);
    if (r.has("tome_model"))
        fromJson(r.at("tome_model"), s.tomeModel, problems);
    r.integer("tome_r", s.tomeR, 0, 100000);
    r.integer("tome_layer", s.tomeLayer, -1, 100000);
}

json toJson(const FlopSettings& s)
{
    json custom = nullptr;
    if (!s.customModelsJson.empty())
        custom = json::parse(s.customModelsJson, nullptr, false);
    return {{"presets", s.presets},        {"custom_models_shown", s.customModels}, {"custom_models_config", custom},
            {"lengths", s.lengths},        {"convention", s.convention},            {"mode", s.mode},
            {"reference", s.reference},    {"by_stage", s.byStage},                 {"measure", s.measure},
            {"measure_max_length", s.measureMaxLength},
            {"figure_size", json::array({s.figureWidth, s.figureHeight})}, {"mark_length", s.markLength}};
}

void fromJson(const json& j, FlopSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems);
    r.list("presets", s.presets);
    r.list("custom_models_shown", s.customModels);
    if (r.has("custom_models_config")) {
        if (r.at("custom_models_config").is_object())
            s.customModelsJson = r.at("custom_models_config").dump(2);
        else
            r.report("custom_models_config", "expected a FLOP config object");
    }
    r.text("lengths", s.lengths);
    r.text("convention", s.convention);
    r.text("mode", s.mode);
    if (s.mode != "curves" && s.mode != "ratio" && s.mode != "breakdown") {
        r.report("mode", "expected curves, ratio or breakdown, got \"" + s.mode + "\"");
        s.mode = "curves";
    }
    r.text("reference", s.reference);
    r.boolean("by_stage", s.byStage);
    r.boolean("measure", s.measure);
    r.integer("measure_max_length", s.measureMaxLength, 0, 1LL << 40);
    r.integer("mark_length", s.markLength, 0, 1LL << 40);
    if (r.has("figure_size")) {
        const json& v = r.at("figure_size");
        if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer() && v[0].get<int>() >= 200
            && v[1].get<int>() >= 150 && v[0].get<int>() <= 16384 && v[1].get<int>() <= 16384) {
            s.figureWidth = v[0].get<int>();
            s.figureHeight = v[1].get<int>();
        } else {
            r.report("figure_size", "expected [width, height] of at least 200 x 150, got " + v.dump());
        }
    }
}

} // namespace ts
