#include "core/reduction/evaluation_api.h"

#include "core/io/preprocessing.h"
#include "core/reduction/agreement.h"
#include "core/reduction/eval_progress.h"
#include "core/reduction/image_labels.h"
#include "core/reduction/reduction_flops.h"
#include "core/tome/tome_forward.h"
#include "core/tome/tome_memory.h"
#include "core/util/error.h"
#include "core/util/memory_estimate.h"
#include "core/util/printable.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <sstream>

namespace ts {
namespace {

const char* const kPlainRun = "plain";

// One method at one setting: its row (without the measured numbers) and the key of its records.
struct EvalRun {
    EvalRow row;
    ReductionOptions options;
    std::string key;
    std::string label;
};

std::string runKey(const ReductionOptions& o, const std::vector<int>& schedule)
{
    std::ostringstream s;
    s << reductionMethodName(o.method);
    if (o.method == ReductionMethod::PiToMe)
        s << " margin " << numberText(o.margin);
    if (o.method == ReductionMethod::Atc)
        s << " " << linkageName(o.linkage);
    s << " r";
    for (int r : schedule)
        s << " " << r;
    return s.str();
}

std::vector<EvalRun> planRuns(const EvalRequest& request, const VitConfig& config)
{
    if (request.methods.empty())
        throw Error("eval: no methods");
    if (request.rList.empty() == request.gflopsList.empty())
        throw Error("eval: give either an r list or a GFLOPs list");
    std::vector<EvalRun> runs;
    for (ReductionOptions o : request.methods) {
        o.validate(config.depth);
        if (o.method == ReductionMethod::EVit && !config.classToken)
            throw Error("eval: EViT ranks tokens by the class token's attention; this model has no class token");
        o.keepRatio = 0; // the setting decides
        o.keepRate = 0;
        const std::size_t settings = std::max(request.rList.size(), request.gflopsList.size());
        for (std::size_t i = 0; i < settings; ++i) {
            EvalRun run;
            run.options = o;
            run.row.method = o.method;
            if (request.rList.empty()) {
                run.row.gflopsTarget = request.gflopsList[i];
                run.row.schedule = solveBudget(config, o, request.gflopsList[i] * 1e9).perLayer;
            } else {
                if (request.rList[i] < 0)
                    throw Error("eval: r must be 0 or more, got " + std::to_string(request.rList[i]));
                run.row.r = request.rList[i];
                run.row.schedule = reductionPerLayer(o, ToMeSchedule::constant(request.rList[i]), config.depth,
                                                     config.numTokens(), config.prefixTokens());
            }
            run.row.gflops = reducedFlops(config, o.method, run.row.schedule).total / 1e9;
            run.key = runKey(o, run.row.schedule);
            run.label = evalRowLabel(run.row, request.rList.empty());
            runs.push_back(std::move(run));
        }
    }
    return runs;
}

// The largest power of two up to maxBatch whose peak fits, for the hungriest method.
int chooseBatch(const EvalRequest& request, const VitConfig& config)
{
    const std::int64_t limit = request.memoryLimitBytes > 0 ? request.memoryLimitBytes : defaultMemoryLimit();
    ReductionMethod worst = ReductionMethod::ToMe;
    for (const ReductionOptions& o : request.methods)
        if (estimateToMeMemoryBytes(config, 1, false, o.method) > estimateToMeMemoryBytes(config, 1, false, worst))
            worst = o.method;
    int batch = 1;
    while (batch * 2 <= std::max(1, request.maxBatch))
        batch *= 2;
    if (limit <= 0)
        return batch; // no way to know; let the run try
    for (; batch > 1; batch /= 2)
        if (estimateToMeMemoryBytes(config, batch, false, worst) <= double(limit))
            return batch;
    try {
        requireToMeMemory(config, 1, false, limit, worst);
    } catch (const Error& e) {
        throw Error(std::string("eval: ") + e.what());
    }
    return 1;
}

// Everything besides the setting that changes an output (eval_progress.h).
std::string modelKey(const VitModel& model, const Normalisation& n)
{
    const VitConfig& c = model.net->config;
    std::ostringstream s;
    s << model.source.weightsLabel() << "|" << c.name << " " << c.depth << "x" << c.width << "/" << c.heads << " p" << c.patchSize
      << " " << c.imageSize << "px " << c.numClasses << " classes|" << model.description.preprocessing.describe();
    for (int k = 0; k < 3; ++k)
        s << "|" << numberText(n.mean[k]) << "," << numberText(n.std[k]);
    if (!model.source.isRandom()) {
        std::error_code ec;
        const std::string file = model.description.file.empty() ? model.source.checkpoint : model.description.file;
        s << "|" << std::filesystem::file_size(file, ec) << ":" << std::filesystem::last_write_time(file, ec).time_since_epoch().count();
    }
    return s.str();
}

struct Context {
    const EvalRequest* request = nullptr;
    const VitModel* model = nullptr;
    Normalisation normalisation;
    std::vector<EvalRun> runs;
    EvalProgress* progress = nullptr;
    const RunControl* control = nullptr;
    RunControl cancelOnly;
    int done = 0, total = 0, computed = 0, resumed = 0;
};

torch::Tensor forwardBatch(const Context& ctx, const torch::Tensor& input, const std::vector<int>& schedule,
                           const ReductionOptions& options)
{
    const VisionTransformerImpl& net = *ctx.model->net;
    ReducingPass pass;
    pass.perLayer = &schedule;
    pass.reduction = options;
    pass.proportional = usesProportionalAttention(options.method);
    pass.control = &ctx.cancelOnly;
    pass.totalSteps = net.config.depth;
    const ReducedTokens out = forwardReducing(net, net.embed(input), pass);
    return net.classify(out.x, out.size);
}

std::vector<float> rowOf(const torch::Tensor& logits, std::int64_t i)
{
    const torch::Tensor row = logits[i].contiguous();
    return {row.data_ptr<float>(), row.data_ptr<float>() + row.numel()};
}

std::vector<int> top5Of(const torch::Tensor& logits, std::int64_t i, bool hasHead)
{
    if (!hasHead)
        return {};
    const torch::Tensor idx = std::get<1>(logits[i].topk(std::min<std::int64_t>(5, logits.size(1)))).to(torch::kInt32).contiguous();
    return {idx.data_ptr<int>(), idx.data_ptr<int>() + idx.numel()};
}

// The batch's images decoded and preprocessed; unreadable ones recorded as skipped.
torch::Tensor loadBatch(Context& ctx, std::vector<const FolderImage*>& images)
{
    const VitConfig& config = ctx.model->net->config;
    std::vector<torch::Tensor> inputs;
    std::vector<const FolderImage*> loaded;
    for (const FolderImage* image : images) {
        try {
            const std::string path = (std::filesystem::path(ctx.request->imageFolder) / image->file).string();
            const SquareCrop crop = preprocessImage(loadImage(path).rgb, config.imageSize, ctx.model->description.preprocessing);
            inputs.push_back(imageToTensor(crop.rgb, ctx.normalisation));
            loaded.push_back(image);
        } catch (const std::exception& e) { // ts::Error from the loader, cv::Exception from a codec
            ctx.progress->addSkip(*image, oneLineMessage(e.what()));
            ctx.done += static_cast<int>(ctx.runs.size());
        }
    }
    images = loaded;
    return inputs.empty() ? torch::Tensor() : torch::cat(inputs, 0);
}

double timedForward(const Context& ctx, const torch::Tensor& input, const std::vector<int>& schedule,
                    const ReductionOptions& options, torch::Tensor& logits)
{
    const auto start = std::chrono::steady_clock::now();
    logits = forwardBatch(ctx, input, schedule, options);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The unreduced pass (the reference), then every run still missing for some of the images.
void evaluateBatch(Context& ctx, std::vector<const FolderImage*> images)
{
    const torch::Tensor input = loadBatch(ctx, images);
    if (images.empty())
        return;
    const VitConfig& config = ctx.model->net->config;
    const bool hasHead = config.numClasses > 0;
    const std::vector<int> none(static_cast<std::size_t>(config.depth), 0);
    if (!ctx.model->warmedUp.load()) {
        forwardBatch(ctx, input, none, {}); // untimed: the first pass pays one-off costs
        ctx.model->warmedUp = true;
    }
    torch::Tensor reference;
    const double plainSeconds = timedForward(ctx, input, none, {}, reference);
    for (std::size_t i = 0; i < images.size(); ++i)
        if (!ctx.progress->find(kPlainRun, *images[i]))
            ctx.progress->add(kPlainRun, *images[i], {true, 1, 0, top5Of(reference, static_cast<std::int64_t>(i), hasHead),
                                                      plainSeconds / static_cast<double>(images.size())});
    for (const EvalRun& run : ctx.runs) {
        ctx.control->throwIfCancelled();
        std::vector<std::int64_t> missing;
        for (std::size_t i = 0; i < images.size(); ++i)
            if (!ctx.progress->find(run.key, *images[i]))
                missing.push_back(static_cast<std::int64_t>(i));
        if (missing.empty())
            continue;
        const torch::Tensor rows = torch::tensor(missing, torch::kLong);
        torch::Tensor logits;
        const double seconds = timedForward(ctx, input.index_select(0, rows), run.row.schedule, run.options, logits);
        for (std::size_t k = 0; k < missing.size(); ++k) {
            const auto i = missing[k];
            const Agreement a = agreementOf(rowOf(reference, i), rowOf(logits, static_cast<std::int64_t>(k)), hasHead);
            ctx.progress->add(run.key, *images[static_cast<std::size_t>(i)],
                              {a.top1Same, a.cosine, a.kl, top5Of(logits, static_cast<std::int64_t>(k), hasHead),
                               seconds / static_cast<double>(missing.size())});
        }
        ctx.progress->flush();
        ctx.done += static_cast<int>(missing.size());
        ctx.computed += static_cast<int>(missing.size());
        ctx.control->progress(ctx.done, ctx.total, run.label + ": " + std::to_string(ctx.done) + "/" + std::to_string(ctx.total));
    }
}

// A run's numbers over the evaluated images (labelled ones for accuracy).
void summarise(EvalRow& row, const std::string& key, const std::vector<const FolderImage*>& images, const EvalProgress& progress,
               const ImageLabels& labels)
{
    double seconds = 0, same = 0, cosine = 0, kl = 0, top1 = 0, top5 = 0;
    int labelled = 0;
    for (const FolderImage* image : images) {
        const ImageRecord* r = progress.find(key, *image);
        if (!r)
            throw Error("eval: internal: no result for " + image->file);
        seconds += r->seconds, same += r->top1Same, cosine += r->cosine, kl += r->kl;
        const auto label = labels.classOf.find(image->file);
        if (label == labels.classOf.end() || r->top5.empty())
            continue;
        ++labelled;
        top1 += r->top5.front() == label->second;
        top5 += std::find(r->top5.begin(), r->top5.end(), label->second) != r->top5.end();
    }
    const double n = std::max<std::size_t>(1, images.size());
    row.imagesPerSecond = seconds > 0 ? static_cast<double>(images.size()) / seconds : 0;
    row.top1Agreement = same / n, row.meanCosine = cosine / n, row.meanKl = kl / n;
    row.top1 = labelled ? top1 / labelled : 0, row.top5 = labelled ? top5 / labelled : 0;
}

ImageLabels labelsFor(const EvalRequest& request, const ImageFolderListing& listing, const VitModel& model)
{
    const VitConfig& config = model.net->config;
    if (!request.labelsFile.empty()) {
        if (config.numClasses == 0)
            throw Error("eval: labels need a classifier head; this model has none");
        return labelsFromCsv(request.labelsFile, model.description.classNames, config.numClasses);
    }
    if (listing.classFolders() && config.numClasses > 0)
        return labelsFromClassFolders(listing, model.description.classNames);
    return {};
}

// The images still missing a run, in batches, then every run summarised.
EvalResult evaluateAll(Context& ctx, const ImageFolderListing& listing, const ImageLabels& labels, int batch)
{
    std::vector<const FolderImage*> pending, evaluated;
    std::vector<SkippedFile> skipped = listing.skipped;
    for (const FolderImage& image : listing.images) {
        if (ctx.progress->skipReason(image)) {
            ctx.done += static_cast<int>(ctx.runs.size());
            continue;
        }
        const bool finished = std::all_of(ctx.runs.begin(), ctx.runs.end(), [&](const EvalRun& r) { return ctx.progress->find(r.key, image); })
                              && ctx.progress->find(kPlainRun, image);
        for (const EvalRun& r : ctx.runs)
            ctx.resumed += ctx.progress->find(r.key, image) ? 1 : 0;
        if (!finished)
            pending.push_back(&image);
    }
    EvalResult out;
    ctx.done += ctx.resumed;
    out.resumed = ctx.resumed;
    ctx.control->progress(ctx.done, ctx.total, "resumed");
    for (std::size_t i = 0; i < pending.size(); i += static_cast<std::size_t>(batch))
        evaluateBatch(ctx, std::vector<const FolderImage*>(pending.begin() + static_cast<std::ptrdiff_t>(i),
                                                           pending.begin() + static_cast<std::ptrdiff_t>(std::min(pending.size(), i + batch))));
    ctx.progress->flush();
    for (const FolderImage& image : listing.images) {
        if (const std::string* reason = ctx.progress->skipReason(image))
            skipped.push_back({image.file, *reason});
        else
            evaluated.push_back(&image);
    }
    if (evaluated.empty())
        throw Error("eval: no image in " + quotedForMessage(listing.folder) + " could be read (" + std::to_string(skipped.size())
                    + " files skipped)");
    summarise(out.reference, kPlainRun, evaluated, *ctx.progress, labels);
    for (EvalRun& run : ctx.runs) {
        summarise(run.row, run.key, evaluated, *ctx.progress, labels);
        out.rows.push_back(run.row);
    }
    out.images = static_cast<int>(evaluated.size());
    out.skipped = skipped;
    for (const FolderImage* image : evaluated)
        out.labelled += labels.classOf.count(image->file) ? 1 : 0;
    return out;
}

} // namespace

std::string evalRowLabel(const EvalRow& row, bool byBudget)
{
    std::ostringstream s;
    s << reductionMethodName(row.method) << " ";
    if (byBudget)
        s << numberText(row.gflopsTarget) << " GFLOPs";
    else
        s << "r=" << row.r;
    return s.str();
}

EvalResult runEvaluation(const EvalRequest& request, const RunControl& control)
{
    if (!request.model)
        throw Error("eval: no model");
    const VitModel& model = *request.model;
    const VitConfig& config = model.net->config;
    Context ctx;
    ctx.request = &request;
    ctx.model = &model;
    ctx.control = &control;
    ctx.cancelOnly.isCancelled = control.isCancelled;
    ctx.runs = planRuns(request, config);
    const int batch = chooseBatch(request, config);
    const ImageFolderListing listing = listImageFolder(request.imageFolder);
    const ImageLabels labels = labelsFor(request, listing, model);
    const Preprocessing& pre = model.description.preprocessing;
    ctx.normalisation = pre.fromSideFiles && !request.normalisationGiven ? pre.normalisation : request.normalisation;
    EvalProgress progress(request.progressPath, modelKey(model, ctx.normalisation));
    ctx.progress = &progress;
    ctx.total = static_cast<int>(listing.images.size() * ctx.runs.size());
    EvalResult out;
    try {
        c10::InferenceMode guard;
        out = evaluateAll(ctx, listing, labels, batch);
    } catch (const c10::Error& e) {
        throw Error(std::string("eval: ") + e.what_without_backtrace());
    }
    out.folder = request.imageFolder;
    out.model = config.name;
    out.weights = model.source.weightsLabel();
    out.byBudget = request.rList.empty();
    out.hasHead = config.numClasses > 0;
    out.hasLabels = !labels.from.empty();
    out.labelsFrom = labels.from;
    out.unmatchedLabels = labels.unmatched;
    out.reference.gflops = reducedFlops(config, ReductionMethod::ToMe, std::vector<int>(static_cast<std::size_t>(config.depth), 0)).total / 1e9;
    out.batch = batch;
    out.progressPath = request.progressPath;
    out.computed = ctx.computed;
    return out;
}

} // namespace ts
