// The token-reduction labs' settings as JSON (attention, ToMe and Compare, and the reduction
// options they share); the declarations and reading rules are in settings_json.h.
#include "core/settings/settings_json.h"

#include "core/settings/settings_reader.h"
#include "core/util/error.h"

namespace ts {

using nlohmann::json;
using settings_detail::Reader;

namespace {
const char* const kScheduleNames[] = {"constant", "inflection", "list"};
const char* const kRangeNames[] = {"data", "from-zero"};

// The method's fields, only for a method other than ToMe (a ToMe lab's settings read as before).
void addReduction(json& j, const ReductionOptions& o)
{
    if (o.method == ReductionMethod::ToMe && o.layers.empty())
        return;
    j["method"] = reductionMethodName(o.method);
    j["margin"] = o.margin;
    j["keep_ratio"] = o.keepRatio;
    j["linkage"] = linkageName(o.linkage);
    j["keep_rate"] = o.keepRate;
    j["layers"] = o.layers;
}

void readReduction(Reader& r, ReductionOptions& o)
{
    r.named("method", o.method, reductionMethodFromName);
    r.number("margin", o.margin, -1, 1);
    r.number("keep_ratio", o.keepRatio, 0, 0.999999);
    r.named("linkage", o.linkage, linkageFromName);
    r.number("keep_rate", o.keepRate, 0, 1);
    r.list("layers", o.layers);
}

} // namespace

json toJson(const AttentionSettings& s)
{
    return {{"shown", s.shown},
            {"block", s.block},
            {"head", s.head},
            {"rollout", s.rollout},
            {"range", kRangeNames[static_cast<int>(s.range)]}};
}

void fromJson(const json& j, AttentionSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems, "attention.");
    r.boolean("shown", s.shown);
    r.integer("block", s.block, -1, 4095);
    r.integer("head", s.head, -1, 4095);
    r.boolean("rollout", s.rollout);
    if (!r.has("range"))
        return;
    const json& v = r.at("range");
    for (int i = 0; i < 2; ++i)
        if (v.is_string() && v.get<std::string>() == kRangeNames[i])
            return void(s.range = static_cast<AttentionSettings::Range>(i));
    r.report("range", "expected data or from-zero, got " + v.dump());
}

json toJson(const ToMeSettings& s)
{
    json j = {{"model", toJson(s.model)},
            {"image", s.image},
            {"schedule", kScheduleNames[static_cast<int>(s.schedule)]},
            {"r", s.r},
            {"inflection", s.inflection},
            {"list", s.list},
            {"proportional_attention", s.proportionalAttention},
            {"layer", s.layer},
            {"opacity", s.opacity},
            {"borders", s.borders},
            {"colours", toMeColoursName(s.colours)},
            {"selected_patch", s.selectedPatch},
            {"attention", toJson(s.attention)}};
    addReduction(j, s.reduction);
    return j;
}

void fromJson(const json& j, ToMeSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems);
    if (r.has("model"))
        fromJson(r.at("model"), s.model, problems);
    r.text("image", s.image);
    if (r.has("schedule")) {
        std::string name;
        r.text("schedule", name);
        bool known = false;
        for (int i = 0; i < 3; ++i)
            if (name == kScheduleNames[i]) {
                s.schedule = static_cast<ToMeSettings::Schedule>(i);
                known = true;
            }
        if (!known && r.at("schedule").is_string())
            r.report("schedule", "expected constant, inflection or list, got " + r.at("schedule").dump());
    }
    r.integer("r", s.r, 0, 100000);
    r.number("inflection", s.inflection, -1e6, 1e6);
    r.list("list", s.list);
    r.boolean("proportional_attention", s.proportionalAttention);
    r.integer("layer", s.layer, -1, 100000);
    r.number("opacity", s.opacity, 0, 1);
    r.boolean("borders", s.borders);
    r.named("colours", s.colours, toMeColoursFromName);
    r.integer("selected_patch", s.selectedPatch, -1, 1 << 30);
    if (r.has("attention"))
        fromJson(r.at("attention"), s.attention, problems);
    readReduction(r, s.reduction);
}

json toJson(const CompareSettings& s)
{
    std::vector<std::string> methods;
    for (ReductionMethod m : s.methods)
        methods.push_back(reductionMethodName(m));
    return {{"model", toJson(s.model)},
            {"image", s.image},
            {"methods", methods},
            {"fraction", s.fraction},
            {"gflops", s.gflops},
            {"margin", s.margin},
            {"linkage", linkageName(s.linkage)},
            {"evit_layers", s.evitLayers},
            {"layer", s.layer},
            {"selected_patch", s.selectedPatch}};
}

void fromJson(const json& j, CompareSettings& s, std::vector<std::string>& problems)
{
    Reader r(j, problems);
    if (r.has("model"))
        fromJson(r.at("model"), s.model, problems);
    r.text("image", s.image);
    std::vector<std::string> names;
    if (r.list("methods", names)) {
        try {
            std::vector<ReductionMethod> methods;
            for (const std::string& name : names)
                if (std::find(methods.begin(), methods.end(), reductionMethodFromName(name)) == methods.end())
                    methods.push_back(reductionMethodFromName(name));
            if (methods.empty() || methods.size() > 4)
                throw Error("expected one to four methods");
            s.methods = methods;
        } catch (const Error& e) {
            r.report("methods", e.what());
        }
    }
    r.number("fraction", s.fraction, 1e-6, 1);
    r.number("gflops", s.gflops, 0, 1e6);
    r.number("margin", s.margin, -1, 1);
    r.named("linkage", s.linkage, linkageFromName);
    r.list("evit_layers", s.evitLayers);
    r.integer("layer", s.layer, -1, 100000);
    r.integer("selected_patch", s.selectedPatch, -1, 1 << 30);
}

} // namespace ts
