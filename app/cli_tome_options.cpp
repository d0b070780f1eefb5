#include "app/cli_tome_options.h"

#include "core/util/error.h"

namespace ts::cli {

void readToMeOptions(const Args& args, ToMeSettings& s, int defaultR)
{
    if (args.has("schedule")) {
        if (args.has("r") || args.has("inflection"))
            throw Error("give either --schedule or --r [--inflection], not both");
        s.schedule = ToMeSettings::Schedule::List;
        s.list = parseIntegerList(args.value("schedule"), "--schedule");
    } else if (args.has("inflection")) {
        s.schedule = ToMeSettings::Schedule::Inflection;
        s.r = static_cast<int>(args.integer("r", 0, 100000));
        s.inflection = args.number("inflection", 0);
    } else {
        s.schedule = ToMeSettings::Schedule::Constant;
        s.r = static_cast<int>(args.integer("r", defaultR, 0, 100000));
    }
    s.proportionalAttention = !args.flag("no-prop-attn");
}

} // namespace ts::cli
