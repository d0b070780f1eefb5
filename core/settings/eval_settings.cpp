#include "core/settings/eval_settings.h"

#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "core/settings/settings_reader.h"

namespace ts {
namespace {

template <class T, class Text>
std::string joined(const std::vector<T>& items, Text text)
{
    std::string s;
    for (const T& item : items)
        s += (s.empty() ? "" : ",") + text(item);
    return s;
}

} // namespace

std::vector<std::string> recipeArguments(const EvalSettings& s)
{
    std::vector<std::string> a{"eval", "--images", s.images};
    if (!s.labels.empty())
        a.insert(a.end(), {"--labels", s.labels});
    const std::vector<std::string> model = modelRecipeArguments(s.model);
    a.insert(a.end(), model.begin(), model.end());
    a.insert(a.end(), {"--method", joined(s.methods, [](const ReductionOptions& o) { return std::string(reductionMethodName(o.method)); })});
    for (const ReductionOptions& o : s.methods) {
        if (o.method == ReductionMethod::PiToMe)
            a.insert(a.end(), {"--margin", exactNumber(o.margin)});
        if (o.method == ReductionMethod::Atc)
            a.insert(a.end(), {"--linkage", linkageName(o.linkage)});
        if (o.method == ReductionMethod::EVit && !o.layers.empty())
            a.insert(a.end(), {"--layers", joined(o.layers, [](int l) { return std::to_string(l + 1); })});
    }
    if (s.gflops.empty())
        a.insert(a.end(), {"--r", joined(s.r, [](int r) { return std::to_string(r); })});
    else
        a.insert(a.end(), {"--gflops", joined(s.gflops, [](double g) { return exactNumber(g); })});
    return a;
}

EvalRequest evalRequestOf(const EvalSettings& s, const VitModelPtr& model)
{
    EvalRequest r;
    r.model = model;
    r.normalisation = s.model.normalisation;
    r.normalisationGiven = !(s.model.normalisation == Normalisation());
    r.imageFolder = s.images;
    r.labelsFile = s.labels;
    r.methods = s.methods;
    r.rList = s.r;
    r.gflopsList = s.gflops;
    return r;
}

nlohmann::json toJson(const EvalSettings& s)
{
    nlohmann::json methods = nlohmann::json::array();
    for (const ReductionOptions& o : s.methods)
        methods.push_back({{"method", reductionMethodName(o.method)}, {"margin", o.margin}, {"linkage", linkageName(o.linkage)},
                           {"layers", o.layers}});
    return {{"model", toJson(s.model)}, {"images", s.images}, {"labels", s.labels}, {"methods", methods},
            {"r", s.r},                 {"gflops", s.gflops}};
}

void fromJson(const nlohmann::json& j, EvalSettings& s, std::vector<std::string>& problems)
{
    settings_detail::Reader read(j, problems, "eval.");
    if (read.has("model"))
        fromJson(read.at("model"), s.model, problems);
    read.text("images", s.images);
    read.text("labels", s.labels);
    read.list("r", s.r);
    if (read.has("gflops") && read.at("gflops").is_array()) {
        s.gflops.clear();
        for (const nlohmann::json& g : read.at("gflops"))
            if (g.is_number() && g.get<double>() > 0)
                s.gflops.push_back(g.get<double>());
            else
                read.report("gflops", "expected positive numbers, got " + g.dump());
    }
    if (!read.has("methods") || !read.at("methods").is_array())
        return;
    s.methods.clear();
    for (const nlohmann::json& m : read.at("methods")) {
        ReductionOptions o;
        try {
            o.method = reductionMethodFromName(m.value("method", std::string()));
            o.margin = m.value("margin", o.margin);
            o.linkage = linkageFromName(m.value("linkage", std::string("average")));
            o.layers = m.value("layers", std::vector<int>());
            s.methods.push_back(o);
        } catch (const std::exception& e) {
            read.report("methods", e.what());
        }
    }
}

} // namespace ts
