#include "core/reduction/evaluation_json.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace ts {
namespace {

using json = nlohmann::json;

json rowJson(const EvalRow& row, const EvalResult& r)
{
    json o{{"method", reductionMethodName(row.method)}, {"gflops", row.gflops}, {"schedule", row.schedule},
           {"images_per_second", row.imagesPerSecond}, {"top1_agreement", row.top1Agreement}, {"mean_cosine", row.meanCosine}};
    if (r.byBudget)
        o["gflops_target"] = row.gflopsTarget;
    else
        o["r"] = row.r;
    if (r.hasHead)
        o["mean_kl"] = row.meanKl;
    if (r.hasLabels) {
        o["top1"] = row.top1;
        o["top5"] = row.top5;
    }
    return o;
}

EvalRow rowFrom(const json& o, bool byBudget)
{
    EvalRow row;
    row.method = reductionMethodFromName(o.value("method", std::string("tome")));
    if (byBudget)
        row.gflopsTarget = o.at("gflops_target").get<double>();
    else
        row.r = o.at("r").get<int>();
    row.gflops = o.at("gflops").get<double>();
    row.schedule = o.value("schedule", std::vector<int>());
    row.imagesPerSecond = o.at("images_per_second").get<double>();
    row.top1Agreement = o.at("top1_agreement").get<double>();
    row.meanCosine = o.at("mean_cosine").get<double>();
    row.meanKl = o.value("mean_kl", 0.0);
    row.top1 = o.value("top1", 0.0);
    row.top5 = o.value("top5", 0.0);
    return row;
}

} // namespace

std::string evaluationJson(const EvalResult& r)
{
    json skipped = json::array(), rows = json::array();
    for (const SkippedFile& s : r.skipped)
        skipped.push_back({{"file", s.file}, {"reason", s.reason}});
    for (const EvalRow& row : r.rows)
        rows.push_back(rowJson(row, r));
    json reference{{"gflops", r.reference.gflops}, {"images_per_second", r.reference.imagesPerSecond}};
    if (r.hasLabels) {
        reference["top1"] = r.reference.top1;
        reference["top5"] = r.reference.top5;
    }
    json o{{"images", r.images},        {"folder", r.folder},       {"model", r.model},      {"weights", r.weights},
           {"batch", r.batch},          {"skipped", skipped},       {"reference", reference}, {"rows", rows},
           {"has_head", r.hasHead},     {"progress_file", r.progressPath}, {"resumed", r.resumed}, {"computed", r.computed}};
    if (r.hasLabels)
        o["labels"] = {{"from", r.labelsFrom}, {"labelled", r.labelled}, {"unmatched", r.unmatchedLabels}};
    return o.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

EvalResult evaluationFromJson(const std::string& text)
{
    const json o = json::parse(text, nullptr, false);
    if (!o.is_object() || !o.contains("rows") || !o.contains("images"))
        throw Error("evaluation: not an evaluation result (no 'images' and 'rows')");
    try {
        EvalResult r;
        r.images = o.at("images").get<int>();
        r.folder = o.value("folder", std::string());
        r.model = o.value("model", std::string());
        r.weights = o.value("weights", std::string());
        r.batch = o.value("batch", 0);
        r.hasHead = o.value("has_head", false);
        r.hasLabels = o.contains("labels");
        r.progressPath = o.value("progress_file", std::string());
        r.resumed = o.value("resumed", 0);
        r.computed = o.value("computed", 0);
        for (const json& s : o.value("skipped", json::array()))
            r.skipped.push_back({s.at("file").get<std::string>(), s.at("reason").get<std::string>()});
        if (r.hasLabels) {
            const json& l = o.at("labels");
            r.labelsFrom = l.value("from", std::string());
            r.labelled = l.value("labelled", 0);
            r.unmatchedLabels = l.value("unmatched", std::vector<std::string>());
        }
        const json& rows = o.at("rows");
        r.byBudget = !rows.empty() && rows.front().contains("gflops_target");
        for (const json& row : rows)
            r.rows.push_back(rowFrom(row, r.byBudget));
        const json& ref = o.at("reference");
        r.reference.gflops = ref.at("gflops").get<double>();
        r.reference.imagesPerSecond = ref.at("images_per_second").get<double>();
        r.reference.top1 = ref.value("top1", 0.0);
        r.reference.top5 = ref.value("top5", 0.0);
        return r;
    } catch (const json::exception& e) {
        throw Error(std::string("evaluation: ") + e.what());
    }
}

std::string evaluationCsv(const EvalResult& r)
{
    std::ostringstream s;
    s << "method," << (r.byBudget ? "gflops_target" : "r")
      << ",gflops,images_per_second,top1_agreement,mean_cosine,mean_kl,top1,top5\n";
    for (const EvalRow& row : r.rows) {
        s << reductionMethodName(row.method) << "," << (r.byBudget ? numberText(row.gflopsTarget) : std::to_string(row.r)) << ","
          << numberText(row.gflops) << "," << numberText(row.imagesPerSecond) << "," << numberText(row.top1Agreement) << ","
          << numberText(row.meanCosine) << "," << (r.hasHead ? numberText(row.meanKl) : "") << ","
          << (r.hasLabels ? numberText(row.top1) : "") << "," << (r.hasLabels ? numberText(row.top5) : "") << "\n";
    }
    return s.str();
}

} // namespace ts
