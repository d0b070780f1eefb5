// tokenscope eval: token-reduction methods over a folder of images, per setting (an r list or
// GFLOPs targets): analytic GFLOPs, measured images per second, agreement with the unreduced model
// and, with labels, top-1 / top-5 accuracy; as JSON, CSV and the agreement-versus-cost plot.
#include "app/cli_export.h"
#include "app/cli_model.h"
#include "app/cli_reduction.h"
#include "app/command_line.h"
#include "core/reduction/evaluation_json.h"
#include "core/reduction/image_folder.h"
#include "core/settings/eval_settings.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/eval_figure.h"
#include "ui/figures/output_files.h"

#include <QByteArray>
#include <QString>

#include <chrono>
#include <iostream>
#include <sstream>

namespace ts::cli {
namespace {

std::vector<double> numberList(const std::string& text, const std::string& what)
{
    std::vector<double> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        const double v = parseNumber(item, what);
        if (!(v > 0 && v < 1e6))
            throw Error(what + ": GFLOPs must be positive numbers, got " + quotedForMessage(item));
        out.push_back(v);
    }
    if (out.empty())
        throw Error(what + ": give at least one number");
    return out;
}

EvalSettings evalSettingsFromArgs(const Args& args)
{
    EvalSettings s;
    s.images = args.value("images");
    s.labels = args.value("labels", "");
    s.model = modelSettingsFromArgs(args);
    s.methods = reductionMethodsFromArgs(args, "method");
    if (args.has("r") == args.has("gflops"))
        throw Error("give one of --r LIST or --gflops LIST");
    if (args.has("r")) {
        s.r = parseIntegerList(args.value("r"), "--r");
        if (s.r.empty())
            throw Error("--r: give at least one number");
        for (int r : s.r)
            if (r < 0)
                throw Error("--r: tokens removed must be 0 or more, got " + std::to_string(r));
    } else {
        s.gflops = numberList(args.value("gflops"), "--gflops");
    }
    return s;
}

// Progress on stderr, at most a line a second, and the last one.
RunControl printingControl()
{
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    RunControl control;
    control.onProgress = [last](int done, int total, const std::string& what) {
        const auto now = std::chrono::steady_clock::now();
        if (done < total && now - *last < std::chrono::seconds(1))
            return;
        *last = now;
        std::cerr << "eval: " << done << "/" << total << " " << what << "\n";
    };
    return control;
}

void printSummary(const EvalResult& result)
{
    std::cout << result.images << " images (" << result.skipped.size() << " files skipped), batch " << result.batch << ", "
              << result.resumed << " results resumed, " << result.computed << " computed\n";
    for (const EvalRow& row : result.rows) {
        std::cout << evalRowLabel(row, result.byBudget) << ": " << numberText(row.gflops) << " GFLOPs, "
                  << numberText(row.imagesPerSecond) << " images/s, top-1 agreement " << numberText(row.top1Agreement);
        if (result.hasLabels)
            std::cout << ", top-1 " << numberText(row.top1) << ", top-5 " << numberText(row.top5);
        std::cout << "\n";
    }
    for (const SkippedFile& s : result.skipped)
        std::cout << "skipped " << s.file << ": " << s.reason << "\n";
}

} // namespace

int runEval(const std::vector<std::string>& argv)
{
    std::set<std::string> valued = {"images", "labels", "method", "r", "gflops", "margin", "linkage", "layers",
                                    "json", "csv", "out", "progress", "batch"};
    valued.insert(kModelOptions.begin(), kModelOptions.end());
    valued.insert(kPngResolutionOptions.begin(), kPngResolutionOptions.end());
    const Args args(argv, valued, {});
    if (!args.has("json") && !args.has("out"))
        throw Error("give --json OUT.json, --out PLOT or both");
    OutputFiles files; // every output checked before any work, written at the end as one transaction
    for (const char* data : {"json", "csv"})
        if (args.has(data))
            files.reserve(QString::fromStdString(args.value(data)));
    if (args.has("out"))
        reserveFigure(files, QString::fromStdString(args.value("out")));
    const double scale = pngScale(args);
    const int batch = static_cast<int>(args.integer("batch", 32, 1, 256));
    const EvalSettings settings = evalSettingsFromArgs(args);
    listImageFolder(settings.images); // a missing or empty folder refused before the model is built

    EvalRequest request = evalRequestOf(settings, buildVit(settings.model.source));
    request.normalisationGiven = args.has("mean") || args.has("std");
    request.maxBatch = batch;
    request.progressPath = args.value("progress", args.value(args.has("json") ? "json" : "out") + ".progress.jsonl");
    const EvalResult result = runEvaluation(request, printingControl());

    if (args.has("json"))
        files.stage(QString::fromStdString(args.value("json")), QByteArray::fromStdString(evaluationJson(result)));
    if (args.has("csv"))
        files.stage(QString::fromStdString(args.value("csv")), QByteArray::fromStdString(evaluationCsv(result)));
    if (args.has("out"))
        stageFigure(files, evalFigure(result, toJson(settings), recipeArguments(settings)), QString::fromStdString(args.value("out")),
                    scale);
    files.commit();
    printSummary(result);
    for (const char* output : {"json", "csv", "out"})
        if (args.has(output))
            std::cout << "wrote " << args.value(output) << "\n";
    return 0;
}

} // namespace ts::cli
