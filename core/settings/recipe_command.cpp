#include "core/settings/recipe_command.h"

#include "core/util/error.h"

#include <algorithm>
#include <charconv>

namespace ts {
namespace {

using Args = std::vector<std::string>;

void add(Args& a, const std::string& option, const std::string& value)
{
    a.push_back("--" + option);
    a.push_back(value);
}
void add(Args& a, const std::string& option, long long value) { add(a, option, std::to_string(value)); }

std::string joined(const std::vector<std::string>& items)
{
    std::string s;
    for (const std::string& item : items)
        s += (s.empty() ? "" : ",") + item;
    return s;
}

std::string tripleText(const float* v)
{
    return exactNumber(v[0]) + "," + exactNumber(v[1]) + "," + exactNumber(v[2]);
}

// `tokenscope attention` names them --norm-mean and --norm-std (its --mean is the head mean).
void addNormalisation(Args& a, const Normalisation& n, const char* meanOption = "mean", const char* stdOption = "std")
{
    const Normalisation imagenet;
    bool sameMean = true, sameStd = true;
    for (int c = 0; c < 3; ++c) {
        sameMean = sameMean && n.mean[c] == imagenet.mean[c];
        sameStd = sameStd && n.std[c] == imagenet.std[c];
    }
    if (!sameMean)
        add(a, meanOption, tripleText(n.mean));
    if (!sameStd)
        add(a, stdOption, tripleText(n.std));
}

void addCheckpoint(Args& a, const std::string& path, const std::string& sha256)
{
    add(a, "checkpoint", path);
    if (!sha256.empty())
        add(a, "checkpoint-sha256", sha256);
}

void addModel(Args& a, const ModelSettings& m, const char* meanOption = "mean", const char* stdOption = "std")
{
    if (m.source.isRandom()) {
        add(a, "preset", m.source.preset);
        add(a, "seed", std::to_string(m.source.seed));
    } else {
        addCheckpoint(a, m.source.checkpoint, m.checkpointSha256);
    }
    add(a, "size", m.source.imageSize);
    addNormalisation(a, m.normalisation, meanOption, stdOption);
}

// The merge schedule and proportional attention, as `merge` and `attention` both read them.
void addToMe(Args& a, const ToMeSettings& s)
{
    // A PiToMe keep ratio or an EViT keep rate replaces a constant r.
    const bool rReplaced = (s.reduction.method == ReductionMethod::PiToMe && s.reduction.keepRatio > 0)
                           || (s.reduction.method == ReductionMethod::EVit && s.reduction.keepRate > 0);
    switch (rReplaced ? ToMeSettings::Schedule::Constant : s.schedule) { // the ratio or rate is the schedule
    case ToMeSettings::Schedule::Constant:
        if (!rReplaced)
            add(a, "r", s.r);
        break;
    case ToMeSettings::Schedule::Inflection:
        add(a, "r", s.r);
        add(a, "inflection", exactNumber(s.inflection));
        break;
    case ToMeSettings::Schedule::List: {
        std::vector<std::string> items;
        for (int r : s.list)
            items.push_back(std::to_string(r));
        add(a, "schedule", joined(items));
        break;
    }
    }
    if (!s.proportionalAttention)
        a.push_back("--no-prop-attn");
}

// The method and its own options (none for ToMe over every block, so ToMe recipes stay as they were).
void addReduction(Args& a, const ReductionOptions& o)
{
    if (o.method == ReductionMethod::ToMe && o.layers.empty())
        return;
    add(a, "method", reductionMethodName(o.method));
    const bool byRatio = o.method == ReductionMethod::PiToMe && o.keepRatio > 0;
    const bool byRate = o.method == ReductionMethod::EVit && o.keepRate > 0;
    if (o.method == ReductionMethod::PiToMe) {
        add(a, "margin", exactNumber(o.margin));
        if (byRatio)
            add(a, "keep-ratio", exactNumber(o.keepRatio));
    }
    if (o.method == ReductionMethod::Atc)
        add(a, "linkage", linkageName(o.linkage));
    if (byRate)
        add(a, "keep-rate", exactNumber(o.keepRate));
    if (!o.layers.empty()) {
        std::vector<std::string> items;
        for (int l : o.layers)
            items.push_back(std::to_string(l + 1));
        add(a, "layers", joined(items));
    }
}

} // namespace

std::vector<std::string> modelRecipeArguments(const ModelSettings& m)
{
    Args a;
    addModel(a, m);
    return a;
}

std::string exactNumber(double v)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

std::string exactNumber(float v)
{
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, result.ptr);
}

std::vector<std::string> recipeArguments(const ToMeSettings& s)
{
    Args a{"merge"};
    add(a, "image", s.image);
    addModel(a, s.model);
    addToMe(a, s);
    addReduction(a, s.reduction);
    if (s.layer >= 0)
        add(a, "layer", s.layer);
    add(a, "opacity", exactNumber(s.opacity));
    if (!s.borders)
        a.push_back("--no-borders");
    if (s.colours != ToMeSettings::Colours::Mean)
        add(a, "colours", toMeColoursName(s.colours));
    if (s.selectedPatch >= 0)
        add(a, "select", s.selectedPatch);
    return a;
}

std::vector<std::string> attentionRecipeArguments(const ToMeSettings& s)
{
    Args a{"attention"};
    add(a, "image", s.image);
    addModel(a, s.model, "norm-mean", "norm-std");
    addToMe(a, s);
    addReduction(a, s.reduction);
    const AttentionSettings& t = s.attention;
    if (t.block >= 0)
        add(a, "block", t.block + 1);
    if (t.head >= 0)
        add(a, "head", t.head);
    else
        a.push_back("--mean");
    if (t.rollout)
        a.push_back("--rollout");
    add(a, "colour-range", t.range == AttentionSettings::Range::Data ? "data" : "from-zero");
    return a;
}

std::vector<std::string> recipeArguments(const CompareSettings& s)
{
    Args a{"compare"};
    add(a, "image", s.image);
    addModel(a, s.model);
    std::vector<std::string> names;
    for (ReductionMethod m : s.methods)
        names.push_back(reductionMethodName(m));
    const auto named = [&s](ReductionMethod m) { return std::find(s.methods.begin(), s.methods.end(), m) != s.methods.end(); };
    if (named(ReductionMethod::PiToMe))
        add(a, "margin", exactNumber(s.margin));
    if (named(ReductionMethod::Atc))
        add(a, "linkage", linkageName(s.linkage));
    if (named(ReductionMethod::EVit) && !s.evitLayers.empty()) {
        std::vector<std::string> items;
        for (int l : s.evitLayers)
            items.push_back(std::to_string(l + 1));
        add(a, "layers", joined(items));
    }
    add(a, "methods", joined(names));
    if (s.gflops > 0)
        add(a, "gflops", exactNumber(s.gflops));
    else
        add(a, "fraction", exactNumber(s.fraction));
    if (s.layer >= 0)
        add(a, "layer", s.layer);
    if (s.selectedPatch >= 0)
        add(a, "select", s.selectedPatch);
    return a;
}

std::vector<std::string> recipeArguments(const FitSettings& s)
{
    Args a{"fit"};
    add(a, "image", s.image);
    add(a, "seed", std::to_string(s.seed));
    if (!s.checkpoint.empty())
        addCheckpoint(a, s.checkpoint, s.checkpointSha256);
    addNormalisation(a, s.normalisation);
    add(a, "group", s.groupSize);
    add(a, "latents", s.latents);
    add(a, "latent-width", s.latentWidth);
    if (s.latentHeads > 0)
        add(a, "latent-heads", s.latentHeads);
    add(a, "pattern", s.pattern);
    add(a, "size", s.size);
    if (s.autoregressive)
        a.push_back("--autoregressive");
    if (s.block >= 0)
        add(a, "block", s.block + 1);
    if (s.group >= 0)
        add(a, "overlay", s.latent < 0 ? "group:" + std::to_string(s.group)
                                       : "latent:" + std::to_string(s.group) + "," + std::to_string(s.latent));
    add(a, "colour-range", s.range == FitSettings::Range::Fixed ? "fixed" : "data");
    return a;
}

std::vector<std::string> recipeArguments(const FamSettings& s)
{
    Args a{"fam"};
    if (!s.image.empty())
        add(a, "image", s.image);
    else
        add(a, "stream-length", s.streamLength);
    addModel(a, s.model);
    add(a, "block", s.block);
    add(a, "memory", s.memory);
    if (s.withFam)
        add(a, "fam", s.fam);
    else
        a.push_back("--no-fam");
    if (s.causal)
        a.push_back(*s.causal ? "--causal" : "--bidirectional");
    if (s.image.empty())
        add(a, "stream-seed", std::to_string(s.streamSeed));
    if (s.withFam)
        add(a, "prompt-seed", std::to_string(s.promptSeed));
    add(a, "overlay", "block:" + std::to_string(s.overlayBlock));
    add(a, "layer", s.layer);
    if (s.query >= 0)
        add(a, "query", s.query);
    add(a, "colour-range", famRangeName(s.range));
    return a;
}

std::vector<std::string> recipeArguments(const MaskSettings& s)
{
    if (s.kinds.empty())
        throw Error("mask recipe: no mask kind");
    Args a{"mask"};
    add(a, "kind", s.kinds.front());
    if (s.kinds.size() > 1)
        add(a, "compare", joined(std::vector<std::string>(s.kinds.begin() + 1, s.kinds.end())));
    add(a, "length", s.length);
    add(a, "window", s.window);
    add(a, "block", s.block);
    add(a, "memory", s.memory);
    add(a, "fam", s.fam);
    add(a, "group", s.group);
    add(a, "latents", s.latents);
    if (!s.causal)
        a.push_back("--bidirectional");
    if (s.autoregressive)
        a.push_back("--ar");
    add(a, "width", s.width);
    add(a, "depth", s.depth);
    if (!s.tomeImage.empty()) {
        add(a, "image", s.tomeImage);
        addModel(a, s.tomeModel);
        add(a, "r", s.tomeR);
        if (s.tomeLayer >= 0)
            add(a, "layer", s.tomeLayer);
    }
    if (s.zoomed())
        add(a, "region", std::to_string(*s.region[0]) + ":" + std::to_string(*s.region[1]) + "," + std::to_string(*s.region[2])
                             + ":" + std::to_string(*s.region[3]));
    add(a, "pixels", s.pixels);
    add(a, "panel-side", s.panelSide);
    return a;
}

std::vector<std::string> recipeArguments(const FlopSettings& s)
{
    Args a{"flops"};
    if (!s.presets.empty())
        add(a, "preset", joined(s.presets));
    if (!s.customModels.empty())
        add(a, "config", kCustomFlopModelsFile); // holds exactly the custom models shown
    add(a, "lengths", s.lengths);
    if (s.markLength > 0)
        add(a, "mark-length", s.markLength);
    add(a, "convention", s.convention);
    add(a, "mode", s.mode);
    if (s.mode == "ratio" && !s.reference.empty())
        add(a, "baseline", s.reference);
    if (s.mode == "breakdown") {
        if (!s.reference.empty())
            add(a, "breakdown-model", s.reference);
        if (s.byStage)
            a.push_back("--stages");
    }
    if (s.measure) {
        a.push_back("--measure");
        if (s.measureMaxLength > 0)
            add(a, "measure-max-length", s.measureMaxLength);
    }
    add(a, "figure-size", std::to_string(s.figureWidth) + "x" + std::to_string(s.figureHeight));
    return a;
}

std::string shellQuote(const std::string& arg)
{
    if (arg.empty())
        return "''";
    bool plain = true;
    for (const char c : arg)
        plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::string("_-+=.,:/@%").find(c) != std::string::npos);
    if (plain)
        return arg;
    std::string out = "'";
    for (const char c : arg)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string commandLine(const std::vector<std::string>& args)
{
    std::string line = "tokenscope";
    for (const std::string& a : args)
        line += " " + shellQuote(a);
    return line;
}

std::vector<std::string> splitCommandLine(const std::string& line)
{
    std::vector<std::string> out;
    std::string word;
    bool inWord = false, quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '\'')
                quoted = false;
            else
                word += c;
        } else if (c == '\'') {
            quoted = inWord = true;
        } else if (c == '\\' && i + 1 < line.size()) {
            word += line[++i];
            inWord = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (inWord)
                out.push_back(word);
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (quoted)
        throw Error("command line: unterminated quote");
    if (inWord)
        out.push_back(word);
    return out;
}

} // namespace ts
