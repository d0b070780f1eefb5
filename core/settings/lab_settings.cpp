#include "core/settings/lab_settings.h"

#include "core/util/error.h"
#include "core/util/printable.h"

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
