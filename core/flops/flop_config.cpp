#include "core/flops/flop_config.h"

#include "core/fit/layer_pattern.h"
#include "core/flops/flop_presets.h"
#include "core/io/input_file.h"
#include "core/util/error.h"
#include "core/util/printable.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace ts {
namespace {

using nlohmann::json;

// Typed readers that name the field on failure.
struct Reader {
    const json& o;
    std::string where;

    [[noreturn]] void fail(const std::string& key, const std::string& what) const
    {
        throw Error(where + "." + key + ": " + what);
    }
    bool has(const char* key) const { return o.contains(key); }
    long long integer(const char* key, long long fallback, long long lo, long long hi) const
    {
        if (!has(key))
            return fallback;
        const json& v = o.at(key);
        // Range-check a float before converting it: converting 1e20 to long long is undefined
        // behaviour (found by fuzzing). 2^62 is far above every limit a caller passes.
        const bool wholeFloat = v.is_number_float() && std::abs(v.get<double>()) < 0x1p62
                             && v.get<double>() == std::floor(v.get<double>());
        if (!v.is_number_integer() && !wholeFloat)
            fail(key, "expected a whole number, got " + v.dump());
        if (v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(hi))
            fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + v.dump());
        const long long x = v.get<long long>();
        if (x < lo || x > hi)
            fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " + std::to_string(x));
        return x;
    }
    double number(const char* key, double fallback) const
    {
        if (!has(key))
            return fallback;
        if (!o.at(key).is_number())
            fail(key, "expected a number, got " + o.at(key).dump());
        return o.at(key).get<double>();
    }
    bool boolean(const char* key, bool fallback) const
    {
        if (!has(key))
            return fallback;
        if (!o.at(key).is_boolean())
            fail(key, "expected true or false, got " + o.at(key).dump());
        return o.at(key).get<bool>();
    }
    std::string text(const char* key, const std::string& fallback) const
    {
        if (!has(key))
            return fallback;
        if (!o.at(key).is_string())
            fail(key, "expected a string, got " + o.at(key).dump());
        return o.at(key).get<std::string>();
    }
};

constexpr int kBig = 1 << 30;

} // namespace

const std::vector<std::string>& flopConfigKeys()
{
    static const std::vector<std::string> keys = {
        "name", "description", "preset", "architecture", "depth", "width", "heads", "mlp_ratio", "causal",
        "patch_size", "in_channels", "class_token", "extra_tokens", "distillation_head", "head_outputs", "head_tokens", "window", "group_size",
        "latents_per_group", "latent_width", "latent_heads", "pattern", "r", "inflection", "schedule", "block",
        "memory", "fam_length"};
    return keys;
}

namespace {

// The spec the fields apply to: the preset when one is named, else a default of the named
// architecture. A changed architecture drops what it does not have.
ArchSpec startingSpec(const Reader& r)
{
    ArchSpec s;
    if (r.has("preset")) {
        try {
            s = flopPreset(r.text("preset", ""));
        } catch (const Error& e) {
            r.fail("preset", e.what());
        }
    } else {
        if (!r.has("architecture"))
            throw Error(r.where + ".architecture: missing (or give a preset to start from)");
        s.description.clear();
    }
    if (r.has("architecture")) {
        const ArchKind previous = s.kind;
        try {
            s.kind = archKindFromName(r.text("architecture", ""));
        } catch (const Error& e) {
            r.fail("architecture", e.what());
        }
        // Streams and FIT have no class token or classifier unless asked.
        if (s.kind != previous && (s.kind == ArchKind::Fit || s.kind == ArchKind::Bswa || s.kind == ArchKind::Fam)) {
            s.classToken = false;
            s.headOutputs = 0;
            if (s.kind != ArchKind::Fit) { // FAM's streams are causal token sequences (Sec. 2)
                s.patchSize = 0;
                s.causal = true;
            }
        }
    }
    return s;
}

// The fields every architecture has, then the window's and FIT's.
void readLayerFields(const Reader& r, ArchSpec& s)
{
    s.name = r.text("name", r.has("preset") ? s.name : "custom");
    s.description = r.text("description", s.description);
    s.depth = int(r.integer("depth", s.depth, 1, 4096));
    s.width = int(r.integer("width", s.width, 1, kBig));
    s.heads = int(r.integer("heads", s.heads, 1, 4096));
    s.mlpRatio = r.number("mlp_ratio", s.mlpRatio);
    s.causal = r.boolean("causal", s.causal);
    s.patchSize = int(r.integer("patch_size", s.patchSize, 0, 1024));
    s.inChannels = int(r.integer("in_channels", s.inChannels, 1, 1024));
    s.classToken = r.boolean("class_token", s.classToken);
    s.extraTokens = int(r.integer("extra_tokens", s.extraTokens, 0, 1 << 20));
    s.distillationHead = r.boolean("distillation_head", s.distillationHead);
    s.headOutputs = int(r.integer("head_outputs", s.headOutputs, 0, kBig));
    const std::string headTokens = r.text("head_tokens", s.headOnAllTokens ? "all" : "class");
    if (headTokens != "all" && headTokens != "class")
        r.fail("head_tokens", "must be \"class\" or \"all\", got \"" + headTokens + "\"");
    s.headOnAllTokens = headTokens == "all";
    s.window = int(r.integer("window", s.window, 1, kBig));
    s.groupSize = int(r.integer("group_size", s.groupSize, 1, kBig));
    s.latentsPerGroup = int(r.integer("latents_per_group", s.latentsPerGroup, 1, kBig));
    // FIT's latents default to the data width and heads unless given.
    const bool fitFromScratch = s.kind == ArchKind::Fit && !r.has("preset");
    s.latentWidth = int(r.integer("latent_width", fitFromScratch ? s.width : s.latentWidth, 1, kBig));
    s.latentHeads = int(r.integer("latent_heads", fitFromScratch ? s.heads : s.latentHeads, 1, 4096));
    s.pattern = r.text("pattern", s.pattern);
    if (s.kind == ArchKind::Fit && !r.has("depth")) { // depth follows the pattern unless given
        try {
            s.depth = parseLayerPattern(s.pattern).transformerLayers();
        } catch (const Error& e) {
            r.fail("pattern", e.what());
        }
    }
}

// ToMe's schedule: an explicit list, or r with an optional inflection.
void readSchedule(const Reader& r, ArchSpec& s)
{
    if (r.has("schedule")) {
        if (r.has("r") || r.has("inflection"))
            r.fail("schedule", "give either schedule (a list) or r (and inflection), not both");
        const json& list = r.o.at("schedule");
        if (!list.is_array())
            r.fail("schedule", "expected an array of whole numbers");
        std::vector<int> values;
        for (const json& v : list) {
            // get<int>() would silently wrap 4294967300 to 4: refuse what an int cannot hold.
            const bool fits = v.is_number_unsigned() ? v.get<unsigned long long>() <= unsigned(kBig)
                                                     : v.is_number_integer() && v.get<long long>() >= -kBig
                                                           && v.get<long long>() <= kBig;
            if (!fits)
                r.fail("schedule", "expected whole numbers up to " + std::to_string(kBig) + ", got " + v.dump());
            values.push_back(v.get<int>());
        }
        s.schedule = ToMeSchedule::explicitList(values);
    } else if (r.has("r") || r.has("inflection")) {
        const int rr = int(r.integer("r", s.schedule.r, 0, kBig));
        const double inflection = r.number("inflection", 0.0);
        s.schedule = inflection != 0.0 ? ToMeSchedule::withInflection(rr, inflection) : ToMeSchedule::constant(rr);
    }
}

} // namespace

ArchSpec archSpecFromJson(const json& o, const std::string& whereIn)
{
    if (!o.is_object())
        throw Error(whereIn + ": expected a JSON object describing a model");
    const std::set<std::string> known(flopConfigKeys().begin(), flopConfigKeys().end());
    for (const auto& item : o.items())
        if (!known.count(item.key()))
            throw Error(whereIn + "." + item.key() + ": unknown field (see README 'FLOP config files')");
    Reader r{o, whereIn};
    ArchSpec s = startingSpec(r);
    readLayerFields(r, s);
    readSchedule(r, s);
    s.block = int(r.integer("block", s.block, 1, kBig));
    s.memory = int(r.integer("memory", s.memory, 0, kBig));
    s.famLength = int(r.integer("fam_length", s.famLength, 1, kBig));
    try {
        s.validate();
    } catch (const Error& e) {
        throw Error(whereIn + ": " + e.what());
    }
    return s;
}

json archSpecToJson(const ArchSpec& s)
{
    json o;
    o["name"] = s.name;
    if (!s.description.empty())
        o["description"] = s.description;
    o["architecture"] = archKindName(s.kind);
    o["depth"] = s.depth;
    o["width"] = s.width;
    o["heads"] = s.heads;
    o["mlp_ratio"] = s.mlpRatio;
    o["causal"] = s.causal;
    o["patch_size"] = s.patchSize;
    if (s.patchSize > 0)
        o["in_channels"] = s.inChannels;
    o["class_token"] = s.classToken;
    if (s.extraTokens > 0)
        o["extra_tokens"] = s.extraTokens;
    if (s.distillationHead)
        o["distillation_head"] = true;
    o["head_outputs"] = s.headOutputs;
    if (s.headOutputs > 0)
        o["head_tokens"] = s.headOnAllTokens ? "all" : "class";
    switch (s.kind) {
    case ArchKind::Transformer: break;
    case ArchKind::Window: o["window"] = s.window; break;
    case ArchKind::Fit:
        o["group_size"] = s.groupSize;
        o["latents_per_group"] = s.latentsPerGroup;
        o["latent_width"] = s.latentWidth;
        o["latent_heads"] = s.latentHeads;
        o["pattern"] = s.pattern;
        break;
    case ArchKind::ToMe:
        if (s.schedule.kind == ToMeSchedule::Kind::List) {
            o["schedule"] = s.schedule.list;
        } else {
            o["r"] = s.schedule.r;
            if (s.schedule.kind == ToMeSchedule::Kind::Inflection)
                o["inflection"] = s.schedule.inflection;
        }
        break;
    case ArchKind::Fam: o["fam_length"] = s.famLength; [[fallthrough]];
    case ArchKind::Bswa:
        o["block"] = s.block;
        o["memory"] = s.memory;
        break;
    }
    return o;
}

std::vector<ArchSpec> parseFlopConfig(const std::string& text, const std::string& source)
{
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        throw Error(source + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const json::exception&) { // e.g. out_of_range 406 for 1e400 (found by fuzzing)
        throw Error(source + ": not valid JSON (a number is out of range)");
    }
    std::vector<ArchSpec> out;
    auto addAll = [&](const json& list, const std::string& prefix) {
        if (list.empty())
            throw Error(source + ": " + prefix + " holds no models");
        for (std::size_t i = 0; i < list.size(); ++i)
            out.push_back(archSpecFromJson(list[i], source + ": " + prefix + "[" + std::to_string(i) + "]"));
    };
    if (root.is_array()) {
        addAll(root, "models");
    } else if (root.is_object() && root.contains("models")) {
        if (root.size() != 1)
            throw Error(source + ": next to \"models\" no other key is allowed");
        if (!root.at("models").is_array())
            throw Error(source + ": models: expected an array of model objects");
        addAll(root.at("models"), "models");
    } else {
        out.push_back(archSpecFromJson(root, source + ": model"));
    }
    std::set<std::string> names;
    for (const ArchSpec& s : out)
        if (!names.insert(s.name).second)
            throw Error(source + ": name '" + s.name + "' is used twice (series names must differ)");
    return out;
}

std::vector<ArchSpec> loadFlopConfig(const std::string& path)
{
    // Only a regular file, and no larger than any sensible config (a named pipe, a folder or
    // /dev/zero is refused before reading).
    const InputFile in(path, "FLOP config " + quotedForMessage(path));
    return parseFlopConfig(in.readAll(64u << 20), path);
}

} // namespace ts
