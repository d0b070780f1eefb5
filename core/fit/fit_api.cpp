#include "core/fit/fit_api.h"

#include "core/fit/fit_checkpoint.h"
#include "core/fit/fit_model.h"
#include "core/io/preprocessing.h"
#include "core/io/safetensors.h"
#include "core/io/side_files.h"
#include "core/util/error.h"
#include "core/util/printable.h"
#include "core/util/memory_tracker.h"
#include "core/vit/checkpoint_side_files.h"
#include "core/vit/vit_checkpoint.h"
#include "core/vit/vit_runner.h"

#include <c10/core/InferenceMode.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

namespace ts {
namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The size of the image the model sees, before the cut to whole patches: from the sizes alone,
// so the grouping can be known without resizing any pixels.
cv::Size inputSize(const FitRequest& request)
{
    if (request.imageRgb.empty()) {
        if (request.size <= 0)
            throw Error("FIT: no image and no size given");
        return {request.size, request.size};
    }
    if (request.imageRgb.type() != CV_8UC3)
        throw Error("FIT: expected an 8-bit RGB image");
    return request.size > 0 ? cv::Size(request.size, request.size) : request.imageRgb.size();
}

// The whole patches of an input of `size`.
cv::Size patchGrid(const cv::Size& size, int patch)
{
    const int rows = size.height / patch, cols = size.width / patch;
    if (rows < 1 || cols < 1)
        throw Error("FIT: a " + std::to_string(size.width) + " x " + std::to_string(size.height) + " px image has no whole "
                    + std::to_string(patch) + " px patch");
    return {cols, rows};
}

// The image the model sees: resized / cropped as asked, then cut to whole patches.
cv::Mat modelInput(const FitRequest& request, int patch)
{
    const cv::Size grid = patchGrid(inputSize(request), patch);
    cv::Mat rgb = request.imageRgb;
    if (rgb.empty()) {
        rgb = cv::Mat(request.size, request.size, CV_8UC3);
        cv::RNG rng(request.seed);
        rng.fill(rgb, cv::RNG::UNIFORM, 0, 256);
    } else if (request.size > 0) {
        rgb = centreCrop(rgb, request.size).rgb;
    }
    return rgb(cv::Rect(0, 0, grid.width * patch, grid.height * patch));
}

void checkRecording(const FitRequest& request, const FitConfig& config, const Grouping& grouping)
{
    if (request.record.enabled && request.record.group >= grouping.groups())
        throw Error("FIT: group " + std::to_string(request.record.group) + " does not exist (the image has "
                    + std::to_string(grouping.groups()) + " groups)");
    const int blocks = static_cast<int>(config.layerPattern().blocks.size());
    for (int b : request.record.blocks)
        if (b < 0 || b >= blocks)
            throw Error("FIT: block " + std::to_string(b + 1) + " does not exist (the pattern has " + std::to_string(blocks)
                        + " blocks)");
}

struct Prepared {
    FitConfig config;
    Normalisation normalisation;
    std::string normalisationOrigin = "as asked";
    std::optional<SafetensorsFile> file;
    bool fitCheckpoint = false;
    cv::Mat input;
    Grouping grouping;
};

MemoryEstimate estimateFor(const FitRequest& request, const FitConfig& config, const Grouping& grouping)
{
    FitRecordingSize recording;
    if (request.record.enabled) {
        recording.blocks = request.record.blocks.empty() ? static_cast<int>(config.layerPattern().blocks.size())
                                                         : static_cast<int>(request.record.blocks.size());
        recording.oneGroup = request.record.group >= 0;
    }
    return estimateFitMemory(config, grouping, request.chunkTokens, recording);
}

// Reads the checkpoint (which may fix the architecture), prepares the image and the grouping.
// Refuses a run that cannot fit before any pixel is resized: a 60000 px square is 10.8 GB of
// pixels before the model starts.
Prepared prepare(const FitRequest& request)
{
    Prepared p;
    p.config = request.config;
    p.normalisation = request.normalisation;
    p.config.validate();
    if (request.chunkTokens < 1)
        throw Error("FIT: chunk size must be at least 1 token");
    int ckRows = 0, ckCols = 0;
    if (!request.checkpoint.empty()) {
        p.file = readSafetensors(request.checkpoint);
        if (isFitCheckpoint(*p.file)) {
            const FitConfig stored = fitConfigFromCheckpoint(*p.file, &ckRows, &ckCols);
            auto mismatch = [&](const std::string& what, const std::string& stored_, const std::string& asked) {
                if (stored_ != asked)
                    throw Error("checkpoint '" + request.checkpoint + "' has " + what + " " + stored_ + ", the request asks for "
                                + asked);
            };
            mismatch("group size", std::to_string(stored.groupSize), std::to_string(p.config.groupSize));
            mismatch("latents per group", std::to_string(stored.latentsPerGroup), std::to_string(p.config.latentsPerGroup));
            mismatch("pattern", stored.layerPattern().text(), p.config.layerPattern().text());
            p.config = stored;
            p.fitCheckpoint = true;
        } else {
            const VitConfig vit = inferVitConfig(*p.file);
            if (vit.mlpHidden % vit.width != 0)
                throw Error("checkpoint '" + request.checkpoint + "': MLP width " + std::to_string(vit.mlpHidden)
                            + " is not a multiple of the width " + std::to_string(vit.width));
            const bool latentFollowsData = p.config.latentWidth == p.config.dataWidth && p.config.latentHeads == p.config.heads;
            p.config.dataWidth = vit.width;
            p.config.heads = vit.heads;
            p.config.patchSize = vit.patchSize;
            p.config.mlpRatio = vit.mlpHidden / vit.width;
            if (latentFollowsData) {
                p.config.latentWidth = vit.width;
                p.config.latentHeads = vit.heads;
            }
            p.config.validate();
            const Preprocessing pre = preprocessingFromSideFiles(readSideFiles(request.checkpoint));
            if (pre.fromSideFiles && !request.normalisationGiven) {
                p.normalisation = pre.normalisation;
                p.normalisationOrigin = pre.origin;
            }
        }
    }
    {
        const cv::Size in = inputSize(request);
        const cv::Size grid = patchGrid(in, p.config.patchSize);
        MemoryEstimate sized = estimateFor(request, p.config, Grouping(grid.height, grid.width, p.config.groupSize));
        sized.persistentBytes += 3.0 * static_cast<double>(in.width) * static_cast<double>(in.height); // the pixels
        requireMemory(sized, request.memoryLimitBytes, "FIT");
    }
    p.input = modelInput(request, p.config.patchSize);
    p.grouping = Grouping(p.input.rows / p.config.patchSize, p.input.cols / p.config.patchSize, p.config.groupSize);
    if (p.fitCheckpoint && (ckRows != p.grouping.gridRows() || ckCols != p.grouping.gridCols()))
        throw Error("checkpoint '" + request.checkpoint + "' was made for a " + sizeText(ckCols, ckRows)
                    + " patch grid, this image gives " + sizeText(p.grouping.gridCols(), p.grouping.gridRows()));
    checkRecording(request, p.config, p.grouping);
    return p;
}


std::vector<float> toVector(const torch::Tensor& t)
{
    torch::Tensor c = t.contiguous().to(torch::kFloat32);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

} // namespace

Grouping fitGroupingFor(const FitRequest& request)
{
    if (!request.checkpoint.empty())
        return prepare(request).grouping; // the checkpoint may fix the patch size and the grid
    // The GUI asks on every edit: sizes only, no pixels resized (a 1024 px crop takes tens of ms).
    request.config.validate();
    if (request.chunkTokens < 1)
        throw Error("FIT: chunk size must be at least 1 token");
    const cv::Size grid = patchGrid(inputSize(request), request.config.patchSize);
    Grouping grouping(grid.height, grid.width, request.config.groupSize);
    checkRecording(request, request.config, grouping);
    return grouping;
}

MemoryEstimate estimateFitRun(const FitRequest& request)
{
    const Prepared p = prepare(request);
    return estimateFor(request, p.config, p.grouping);
}

namespace {

// The model with its weights: seeded, then a FIT checkpoint's or a ViT checkpoint's blocks.
// Returns what the weights are; the checkpoint file is released.
FitModel buildFitModel(const FitRequest& request, Prepared& p, std::string& weights)
{
    FitModel model(p.config, p.grouping);
    model->initialiseRandom(request.seed);
    weights = "random(" + std::to_string(request.seed) + ")";
    if (p.fitCheckpoint) {
        loadFitWeights(*model, *p.file);
        weights = request.checkpoint;
    } else if (p.file) {
        const int used = initialiseFromVit(*model, *p.file);
        weights = "vit:" + request.checkpoint + " (" + std::to_string(used) + " blocks) + " + weights;
    }
    p.file.reset();
    model->eval();
    return model;
}

// Embed one row of groups at a time: the float image is never held whole. Progress counts the
// rows of groups as the first of `total` steps.
torch::Tensor embedInput(const FitModel& model, const Prepared& p, const FitRequest& request, const RunControl& control,
                         int total)
{
    const Grouping& g = p.grouping;
    const int patch = p.config.patchSize, rowsOfGroups = g.groupRows();
    torch::Tensor x = torch::empty({g.groups(), g.tokensPerGroup(), p.config.dataWidth});
    for (int r = 0; r < rowsOfGroups; ++r) {
        control.throwIfCancelled();
        const int firstRow = r * g.groupSize(), rows = std::min(g.groupSize(), g.gridRows() - firstRow);
        cv::Mat band = p.input.rowRange(firstRow * patch, (firstRow + rows) * patch);
        x.narrow(0, std::int64_t(r) * g.groupCols(), g.groupCols())
            .copy_(model->embedGroupRow(imageToTensor(band, p.normalisation)));
        control.progress(r + 1, total, "embedding, group row " + std::to_string(r + 1) + "/" + std::to_string(rowsOfGroups));
    }
    return x;
}

// The recorded blocks' weights as plain vectors.
std::vector<FitBlockWeights> recordedWeights(const FitRecorder& recorder, const Prepared& p)
{
    std::vector<FitBlockWeights> recorded;
    for (int b = 0; b < static_cast<int>(recorder.read.size()); ++b) {
        if (!recorder.read[static_cast<std::size_t>(b)].defined())
            continue;
        FitBlockWeights w;
        w.block = b;
        if (recorder.group >= 0)
            w.groups = {recorder.group};
        else
            for (int i = 0; i < p.grouping.groups(); ++i)
                w.groups.push_back(i);
        w.heads = p.config.crossHeads();
        w.read = toVector(recorder.read[static_cast<std::size_t>(b)]);
        for (const torch::Tensor& layer : recorder.global[static_cast<std::size_t>(b)])
            w.global.push_back(toVector(layer));
        recorded.push_back(std::move(w));
    }
    return recorded;
}

// What a run is before it runs: the architecture, its input and the memory estimate.
FitResult resultBeforeRun(const FitRequest& request, const Prepared& p, const MemoryEstimate& estimate)
{
    FitResult result;
    result.config = p.config;
    result.pattern = p.config.layerPattern();
    for (FitLayerKind kind : result.pattern.steps())
        result.layerKinds.push_back(fitLayerKindName(kind));
    result.grouping = p.grouping;
    result.input = p.input;
    result.estimatedMemoryBytes = static_cast<std::int64_t>(estimate.totalBytes());
    result.memoryLimitBytes = request.memoryLimitBytes > 0 ? request.memoryLimitBytes : defaultMemoryLimit();
    result.peakStage = estimate.peakStage;
    result.normalisation = p.normalisation;
    result.normalisationOrigin = p.normalisationOrigin;
    return result;
}

} // namespace

FitResult runFit(const FitRequest& request, const RunControl& control)
{
    Prepared p = prepare(request);
    const MemoryEstimate estimate = estimateFor(request, p.config, p.grouping);
    requireMemory(estimate, request.memoryLimitBytes, "FIT");
    FitResult result = resultBeforeRun(request, p, estimate);

    try {
        PeakMemoryScope memory;
        auto start = std::chrono::steady_clock::now();
        // The weights are made outside inference mode, as the ViT's are, so that the linear
        // layers can pack them (core/nn/packed_linear.h never packs inference tensors); the run
        // itself is under inference mode.
        FitModel model = buildFitModel(request, p, result.weights);
        result.buildSeconds = secondsSince(start);
        control.throwIfCancelled();
        c10::InferenceMode guard;

        start = std::chrono::steady_clock::now();
        const int rowsOfGroups = p.grouping.groupRows();
        const int modelSteps = model->progressSteps(request.chunkTokens), total = rowsOfGroups + modelSteps;
        torch::Tensor x = embedInput(model, p, request, control, total);
        RunControl inner{[&](int done, int, const std::string& what) { control.progress(rowsOfGroups + done, total, what); },
                         control.isCancelled};
        FitRecorder recorder;
        recorder.enabled = request.record.enabled;
        recorder.blocks = request.record.blocks;
        recorder.group = request.record.group;
        FitForwardOptions options;
        options.chunkTokens = request.chunkTokens;
        options.control = &inner;
        options.recorder = recorder.enabled ? &recorder : nullptr;
        FitOutput out = model->forward(x, options);
        result.seconds = secondsSince(start);
        result.peakMemoryBytes = memory.peakAboveStart();
        result.latentNorms = toVector(out.latents.reshape({-1, p.config.latentWidth}).norm(2, /*dim=*/1));
        out = FitOutput();
        x = torch::Tensor();

        result.recorded = recordedWeights(recorder, p);
        if (!request.saveCheckpointTo.empty())
            saveFitCheckpoint(*model, request.saveCheckpointTo);
    } catch (const c10::Error& e) {
        throw Error(std::string("FIT: ") + e.what_without_backtrace());
    }
    return result;
}

const FitBlockWeights* FitResult::recordedBlock(int block) const
{
    for (const auto& w : recorded)
        if (w.block == block)
            return &w;
    return nullptr;
}

namespace {

int rowOfGroup(const FitBlockWeights& w, int group)
{
    auto it = std::find(w.groups.begin(), w.groups.end(), group);
    return it == w.groups.end() ? -1 : static_cast<int>(it - w.groups.begin());
}

} // namespace

std::vector<float> fitReadHeatmap(const FitResult& result, int block, int group, int latent)
{
    const FitBlockWeights* w = result.recordedBlock(block);
    const int m = result.latentsPerGroup(), n = result.tokensPerGroup();
    if (!w || w->read.empty() || latent >= m)
        return {};
    const int row = rowOfGroup(*w, group);
    if (row < 0)
        return {};
    std::vector<double> perSlot(static_cast<std::size_t>(n), 0.0);
    const int first = latent < 0 ? 0 : latent, last = latent < 0 ? m : latent + 1;
    for (int h = 0; h < w->heads; ++h)
        for (int s = first; s < last; ++s)
            for (int k = 0; k < n; ++k)
                perSlot[static_cast<std::size_t>(k)]
                    += w->read[((static_cast<std::size_t>(row) * w->heads + h) * m + s) * n + k];
    const double count = double(w->heads) * (last - first);
    const int g = result.grouping.groupSize();
    int r0, c0, rows, cols;
    result.grouping.groupRect(group, &r0, &c0, &rows, &cols);
    std::vector<float> out;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
            out.push_back(static_cast<float>(perSlot[static_cast<std::size_t>(r * g + c)] / count));
    return out;
}

std::vector<float> fitGlobalHeatmap(const FitResult& result, int block, int group)
{
    const FitBlockWeights* w = result.recordedBlock(block);
    if (!w || w->global.empty())
        return {};
    const int row = rowOfGroup(*w, group), t = result.groups();
    if (row < 0)
        return {};
    std::vector<float> out(static_cast<std::size_t>(t), 0.0f);
    for (const auto& layer : w->global)
        for (int j = 0; j < t; ++j)
            out[static_cast<std::size_t>(j)] += layer[static_cast<std::size_t>(row) * t + j] / w->global.size();
    return out;
}

} // namespace ts
