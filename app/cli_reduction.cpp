#include "app/cli_reduction.h"

#include "core/util/error.h"

#include <climits>
#include <sstream>

namespace ts::cli {

const std::set<std::string> kReductionOptions = {"method", "margin", "keep-ratio", "linkage", "keep-rate", "layers"};

namespace {

void onlyFor(const Args& args, const char* option, ReductionMethod method, ReductionMethod given)
{
    if (args.has(option) && given != method)
        throw Error(std::string("--") + option + " applies to --method " + reductionMethodName(method) + " only");
}

// --layers: 1-based blocks, 0-based in the options.
std::vector<int> layersFromArgs(const Args& args)
{
    std::vector<int> layers;
    if (args.has("layers"))
        for (int l : parseIntegerList(args.value("layers"), "--layers")) {
            if (l < 1)
                throw Error("--layers: blocks count from 1, got " + std::to_string(l));
            layers.push_back(l - 1);
        }
    return layers;
}

} // namespace

ReductionOptions reductionOptionsFromArgs(const Args& args)
{
    ReductionOptions o;
    o.method = reductionMethodFromName(args.value("method", "tome"));
    onlyFor(args, "margin", ReductionMethod::PiToMe, o.method);
    onlyFor(args, "keep-ratio", ReductionMethod::PiToMe, o.method);
    onlyFor(args, "linkage", ReductionMethod::Atc, o.method);
    onlyFor(args, "keep-rate", ReductionMethod::EVit, o.method);
    const bool rGiven = args.has("r") || args.has("schedule") || args.has("inflection");
    for (const char* keep : {"keep-ratio", "keep-rate"})
        if (args.has(keep) && rGiven)
            throw Error(std::string("give either --") + keep + " or --r/--schedule, not both");
    o.margin = args.number("margin", o.margin);
    if (args.has("keep-ratio")) {
        o.keepRatio = args.number("keep-ratio", 0);
        if (!(o.keepRatio > 0 && o.keepRatio < 1))
            throw Error("--keep-ratio must be between 0 and 1 (exclusive), got " + args.value("keep-ratio"));
    }
    if (args.has("linkage"))
        o.linkage = linkageFromName(args.value("linkage"));
    if (args.has("keep-rate")) {
        o.keepRate = args.number("keep-rate", 0);
        if (!(o.keepRate > 0 && o.keepRate <= 1))
            throw Error("--keep-rate must be in (0, 1], got " + args.value("keep-rate"));
    } else if (o.method == ReductionMethod::EVit && !rGiven) {
        o.keepRate = 0.7;
    }
    o.layers = layersFromArgs(args);
    if (!(o.margin >= -1 && o.margin <= 1))
        throw Error("--margin must be between -1 and 1 (a cosine similarity), got " + args.value("margin"));
    o.validate(INT_MAX); // the layers against the depth once the model is known
    return o;
}

std::vector<ReductionOptions> reductionMethodsFromArgs(const Args& args, const std::string& option)
{
    std::vector<ReductionOptions> out;
    std::stringstream in(args.value(option));
    std::string name;
    while (std::getline(in, name, ',')) {
        ReductionOptions o;
        o.method = reductionMethodFromName(name);
        for (const ReductionOptions& seen : out)
            if (seen.method == o.method)
                throw Error("--" + option + ": " + name + " is named twice");
        o.margin = args.number("margin", o.margin);
        if (args.has("linkage"))
            o.linkage = linkageFromName(args.value("linkage"));
        if (o.method == ReductionMethod::EVit)
            o.layers = layersFromArgs(args);
        o.validate(1 << 20);
        out.push_back(o);
    }
    if (out.empty() || out.size() > 4)
        throw Error("--" + option + ": name 1 to 4 of tome, pitome, atc, evit");
    return out;
}

} // namespace ts::cli
