#include "core/settings/lab_settings.h"

#include "core/util/error.h"
#include "core/util/printable.h"
#include "core/reduction/budget_solver.h"

namespace ts {

bool operator==(const Normalisation& a, const Normalisation& b)
{
    for (int c = 0; c < 3; ++c)
        if (a.mean[c] != b.mean[c] || a.std[c] != b.std[c])
            return false;
    return true;
}

bool operator==(const ModelSettings& a, const ModelSettings& b)
{
    return a.source == b.source && a.checkpointSha256 == b.checkpointSha256 && a.normalisation == b.normalisation;
}

bool operator==(const AttentionSettings& a, const AttentionSettings& b)
{
    return a.shown == b.shown && a.block == b.block && a.head == b.head && a.rollout == b.rollout && a.range == b.range;
}

ToMeSchedule toMeScheduleOf(const ToMeSettings& s)
{
    switch (s.schedule) {
    case ToMeSettings::Schedule::List: return ToMeSchedule::explicitList(s.list);
    case ToMeSettings::Schedule::Inflection: return ToMeSchedule::withInflection(s.r, s.inflection);
    case ToMeSettings::Schedule::Constant: break;
    }
    return ToMeSchedule::constant(s.r);
}

const char* toMeColoursName(ToMeSettings::Colours colours)
{
    return colours == ToMeSettings::Colours::Random ? "random" : "mean";
}

ToMeSettings::Colours toMeColoursFromName(const std::string& name)
{
    if (name == "mean")
        return ToMeSettings::Colours::Mean;
    if (name == "random")
        return ToMeSettings::Colours::Random;
    throw Error("expected mean or random, got " + quotedForMessage(name));
}

const char* famRangeName(FamSettings::Range range)
{
    switch (range) {
    case FamSettings::Range::Data: return "data";
    case FamSettings::Range::Fixed: return "fixed";
    case FamSettings::Range::FromZero: break;
    }
    return "from-zero";
}

FamSettings::Range famRangeFromName(const std::string& name)
{
    for (FamSettings::Range r : {FamSettings::Range::FromZero, FamSettings::Range::Data, FamSettings::Range::Fixed})
        if (name == famRangeName(r))
            return r;
    throw Error("expected from-zero, data or fixed, got " + quotedForMessage(name));
}

std::vector<ReductionOptions> reductionOptionsOf(const CompareSettings& s)
{
    std::vector<ReductionOptions> out;
    for (ReductionMethod m : s.methods) {
        ReductionOptions o;
        o.method = m;
        o.margin = s.margin;
        o.linkage = s.linkage;
        if (m == ReductionMethod::EVit)
            o.layers = s.evitLayers;
        out.push_back(o);
    }
    return out;
}

double compareTargetFlops(const CompareSettings& s, const VitConfig& config)
{
    return s.gflops > 0 ? s.gflops * 1e9 : s.fraction * plainVitFlops(config);
}

MaskSpec maskSpecOf(const MaskSettings& settings, const std::string& kind)
{
    MaskSpec s;
    s.kind = kind;
    s.length = settings.length;
    s.window = settings.window;
    s.block = settings.block;
    s.memory = settings.memory;
    s.fam = settings.fam;
    s.group = settings.group;
    s.latents = settings.latents;
    s.causal = settings.causal;
    s.autoregressive = settings.autoregressive;
    return s;
}

} // namespace ts
