// tokenscope compare: token-reduction methods side by side at one FLOP budget on one image,
// each method's schedule, tokens, time and agreement with the unreduced model, as JSON, and the
// figure of their merged-token maps and token counts.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/cli_reduction.h"
#include "app/command_line.h"
#include "core/reduction/compare_api.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/compare_figure.h"
#include "ui/figures/output_files.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <iostream>
#include <sstream>

namespace ts::cli {
namespace {

QJsonArray intArray(const std::vector<int>& v)
{
    QJsonArray a;
    for (int x : v)
        a.append(x);
    return a;
}

QJsonObject methodJson(const MethodComparison& m)
{
    QJsonObject agreement{{"cosine", m.agreement.cosine}, {"top1_same", m.agreement.top1Same}};
    if (m.agreement.hasHead)
        agreement["kl"] = m.agreement.kl;
    return QJsonObject{{"gflops", m.budget.flops / 1e9},
                       {"gflops_measured", m.run.flopsMerged.matmulTotal() / 1e9},
                       {"within_1_percent", m.budget.withinTolerance},
                       {"schedule", intArray(m.budget.perLayer)},
                       {"schedule_text", QString::fromStdString(m.run.scheduleText)},
                       {"tokens_per_layer", intArray(std::vector<int>(m.run.tokens.begin() + 1, m.run.tokens.end()))},
                       {"seconds", m.run.secondsMerged},
                       {"proportional_attention", m.run.proportionalAttention},
                       {"agreement", agreement}};
}

// The command that redraws the figure: this one without its outputs (the export adds --out).
std::vector<std::string> recipeArgumentsOf(const std::vector<std::string>& argv, nlohmann::json& settings)
{
    const std::set<std::string> outputs = {"--json", "--out", "--scale", "--dpi"};
    std::vector<std::string> out{"compare"};
    for (std::size_t i = 0; i + 1 < argv.size(); i += 2) {
        if (outputs.count(argv[i]))
            continue;
        out.push_back(argv[i]);
        out.push_back(argv[i + 1]);
        settings[argv[i].substr(2)] = argv[i + 1];
    }
    return out;
}

} // namespace

int runCompare(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"image", "methods", "gflops", "fraction", "margin", "linkage", "layers", "json", "out"};
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {});
    if (!args.has("json") && !args.has("out"))
        throw Error("give --json OUT.json, --out FIGURE or both");
    if (args.has("gflops") == args.has("fraction"))
        throw Error("give one of --gflops G or --fraction F (of the unreduced model's FLOPs)");
    const double gflops = args.number("gflops", 0), fraction = args.number("fraction", 0);
    if (args.has("gflops") && !(gflops > 0 && gflops < 1e6))
        throw Error("--gflops must be a positive number, got " + args.value("gflops"));
    if (args.has("fraction") && !(fraction > 0 && fraction <= 1))
        throw Error("--fraction must be in (0, 1], got " + args.value("fraction"));
    if (args.has("margin") && !(args.number("margin", 0) >= -1 && args.number("margin", 0) <= 1))
        throw Error("--margin must be between -1 and 1 (a cosine similarity), got " + args.value("margin"));
    const std::vector<ReductionOptions> methods = reductionMethodsFromArgs(args, "methods");
    OutputFiles files; // checked before any work
    if (args.has("json"))
        files.reserve(QString::fromStdString(args.value("json")));
    if (args.has("out"))
        reserveFigure(files, QString::fromStdString(args.value("out")));
    const double scale = pngScale(args);
    const ModelSettings model = modelSettingsFromArgs(args);

    CompareRequest request;
    request.model = buildVit(model.source);
    request.imageRgb = loadInputImage(args.value("image")).rgb;
    request.normalisation = model.normalisation;
    request.normalisationGiven = args.has("mean") || args.has("std");
    request.methods = methods;
    const VitConfig& config = vitConfigOf(*request.model);
    const double plain = plainVitFlops(config);
    request.targetFlops = args.has("gflops") ? gflops * 1e9 : fraction * plain;
    const CompareResult result = runCompare(request);

    QJsonObject byMethod;
    for (const MethodComparison& m : result.methods)
        byMethod[reductionMethodName(m.options.method)] = methodJson(m);
    const QJsonObject o{{"image", QString::fromStdString(args.value("image"))},
                        {"weights", QString::fromStdString(result.plain.weights)},
                        {"model", QString::fromStdString(config.name)},
                        {"gflops_target", request.targetFlops / 1e9},
                        {"gflops_plain", plain / 1e9},
                        {"seconds_plain", result.plain.secondsMerged},
                        {"methods", byMethod}};
    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), QJsonDocument(o).toJson(QJsonDocument::Indented));
    if (args.has("out")) {
        nlohmann::json settings;
        const std::vector<std::string> recipe = recipeArgumentsOf(argv, settings);
        stageFigure(files, compareFigure(result, request.targetFlops, settings, recipe), QString::fromStdString(args.value("out")),
                    scale);
    }
    files.commit();
    for (const MethodComparison& m : result.methods)
        std::cout << reductionMethodName(m.options.method) << ": " << m.budget.flops / 1e9 << " GFLOPs (target "
                  << request.targetFlops / 1e9 << "), cosine " << m.agreement.cosine << ", top-1 "
                  << (m.agreement.top1Same ? "same" : "differs") << "\n";
    for (const char* output : {"json", "out"})
        if (args.has(output))
            std::cout << "wrote " << args.value(output) << "\n";
    return 0;
}

} // namespace ts::cli
