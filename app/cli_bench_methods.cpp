// tokenscope bench methods: every token-reduction method at the same FLOP budget (the budget
// solver's schedules), the forward time against the unreduced model and the time of the
// method's own selection and merge step, per reduction block and as a share of the forward
// pass (ATC's clustering must not eat what the smaller sequence saves).
#include "app/cli_args.h"
#include "app/cli_bench_timing.h"
#include "app/command_line.h"
#include "core/reduction/budget_solver.h"
#include "core/tome/tome_api.h"
#include "core/util/threads.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <opencv2/core.hpp>

#include <cstdio>
#include <iostream>
#include <numeric>

namespace ts::cli {
namespace {

struct MethodRun {
    ReductionOptions options;
    BudgetSchedule budget;
    ToMeRequest request;
    std::vector<double> forward, selection; // per repeat: seconds, and the selection step's sum
};

int reducingBlocks(const std::vector<int>& perLayer)
{
    return static_cast<int>(std::count_if(perLayer.begin(), perLayer.end(), [](int r) { return r > 0; }));
}

// Every method's budget, request and a warm-up run (plus the unreduced model's warm-up).
std::vector<MethodRun> preparedRuns(const ToMeRequest& plain, const VitConfig& config, double target)
{
    runToMe(plain); // warm up
    std::vector<MethodRun> runs;
    for (ReductionMethod m : {ReductionMethod::ToMe, ReductionMethod::PiToMe, ReductionMethod::Atc, ReductionMethod::EVit}) {
        MethodRun run;
        run.options.method = m;
        run.budget = solveBudget(config, run.options, target);
        run.request = plain;
        run.request.reduction = run.options;
        run.request.schedule = ToMeSchedule::explicitList(run.budget.perLayer);
        runToMe(run.request); // warm up
        runs.push_back(std::move(run));
    }
    return runs;
}

// The unreduced model's median time; each run's times recorded. Interleaved, so that a slow
// stretch of a shared machine lands on every method alike.
double timeRuns(const ToMeRequest& plain, std::vector<MethodRun>& runs, int repeats)
{
    std::vector<double> plainTimes;
    for (int i = 0; i < repeats; ++i) {
        plainTimes.push_back(runToMe(plain).secondsMerged);
        for (MethodRun& run : runs) {
            const ToMeResult r = runToMe(run.request);
            run.forward.push_back(r.secondsMerged);
            run.selection.push_back(std::accumulate(r.secondsReduction.begin(), r.secondsReduction.end(), 0.0));
        }
    }
    return median(plainTimes);
}

// One row per method: printed as a table, or as the JSON array.
QJsonArray reportRuns(const std::vector<MethodRun>& runs, double plainSeconds, bool json)
{
    QJsonArray rows;
    for (const MethodRun& run : runs) {
        const double forward = median(run.forward), selection = median(run.selection);
        const int blocks = std::max(1, reducingBlocks(run.budget.perLayer));
        rows.append(QJsonObject{{"method", reductionMethodName(run.options.method)},
                                {"gflops", run.budget.flops / 1e9},
                                {"forward_seconds", forward},
                                {"plain_seconds", plainSeconds},
                                {"speedup", plainSeconds / forward},
                                {"selection_seconds_per_block", selection / blocks},
                                {"selection_share", selection / forward}});
        if (!json)
            std::printf("%-7s %7.2f %10.2f %7.2fx %14.3f %6.1f%%\n", reductionMethodName(run.options.method),
                        run.budget.flops / 1e9, forward * 1e3, plainSeconds / forward, selection / blocks * 1e3,
                        100.0 * selection / forward);
    }
    return rows;
}

} // namespace

int runBenchMethods(const std::vector<std::string>& argv)
{
    const Args args(argv, {"repeats", "preset", "size", "fraction"}, {"json"});
    const int repeats = static_cast<int>(args.integer("repeats", 5, 1, 100));
    const double fraction = args.number("fraction", 0.6);
    if (!(fraction > 0 && fraction <= 1))
        throw Error("--fraction must be in (0, 1], got " + args.value("fraction"));
    ModelSource source;
    source.preset = args.value("preset", "vit-s16");
    source.imageSize = static_cast<int>(args.integer("size", 224, 16, 4096));
    const VitModelPtr model = buildVit(source);
    const VitConfig& config = vitConfigOf(*model);
    cv::Mat image(config.imageSize, config.imageSize, CV_8UC3);
    cv::randu(image, 0, 255);
    const double target = fraction * plainVitFlops(config);

    ToMeRequest plain;
    plain.model = model;
    plain.imageRgb = image;
    plain.schedule = ToMeSchedule::constant(0);
    plain.measurePlain = false;
    plain.recordSources = false;
    std::vector<MethodRun> runs = preparedRuns(plain, config, target);
    const double plainSeconds = timeRuns(plain, runs, repeats);
    const bool json = args.flag("json");
    if (!json)
        std::printf("%s at %d px, %d threads, target %.2f GFLOPs (%.0f%% of %.2f)\n%-7s %7s %10s %8s %14s %7s\n",
                    source.preset.c_str(), config.imageSize, torchThreads(), target / 1e9, fraction * 100,
                    plainVitFlops(config) / 1e9, "method", "GFLOP", "forward ms", "speedup", "select ms/blk", "share");
    const QJsonArray rows = reportRuns(runs, plainSeconds, json);
    if (json)
        std::cout << QJsonDocument(QJsonObject{{"preset", QString::fromStdString(source.preset)},
                                               {"gflops_target", target / 1e9},
                                               {"threads", torchThreads()},
                                               {"runs", rows}})
                         .toJson()
                         .toStdString();
    else
        std::printf("unreduced: %.2f ms; share = the selection and merge steps' time / the forward pass\n", plainSeconds * 1e3);
    return 0;
}

} // namespace ts::cli
