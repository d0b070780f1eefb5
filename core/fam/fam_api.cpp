#include "core/fam/fam_api.h"

#include "core/fit/fit_memory.h"

#include "core/fam/fam_stream.h"
#include "core/nn/attention_path.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/vit/vit_handle.h"
#include "core/vit/vit_runner.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ts {
namespace {

constexpr std::int64_t kMaxStreamLength = 1'000'000'000;
constexpr std::int64_t kMaxKeptOutputs = 65536;

bool causalOf(const FamRequest& r) { return r.causal.value_or(r.imageRgb.empty()); }

FamSettings settingsOf(const FamRequest& r)
{
    FamSettings s;
    s.block = r.block;
    s.memory = r.memory;
    s.fam = r.withFam ? r.fam : 0;
    s.withFam = r.withFam;
    s.causal = causalOf(r);
    return s;
}

// Patch embeddings of the centre crop in raster order, with the patches' position embeddings
// (the class token is not part of the stream).
torch::Tensor imageTokens(const VisionTransformerImpl& net, const cv::Mat& cropRgb, const Normalisation& norm)
{
    torch::Tensor x = net.patch_embed->forward(imageToTensor(cropRgb, norm));
    return x + net.patchPositions();
}

// Keys query row `row` sees: memory (block tokens only), the previous FAM, and the block's tokens
// (up to itself when causal). As FamStreamer::bias masks them.
double visibleKeys(const FamProbe& probe, std::int64_t f, bool causal, std::int64_t row)
{
    const std::int64_t n = probe.blockTokens;
    if (row >= n)
        return double(f + n);
    return double(probe.memoryKeys + f + (causal ? row + 1 : n));
}

void captureOverlay(const FamProbe& probe, FamResult& result)
{
    if (!probe.captured)
        return;
    // probs [H, n + f, memory | previous FAM | block] -> mean over heads and the chosen rows.
    const std::int64_t f = result.withFam ? result.fam : 0, n = probe.blockTokens;
    const std::int64_t first = result.overlayQuery >= 0 ? result.overlayQuery : (f > 0 ? n : 0);
    const std::int64_t rows = result.overlayQuery >= 0 ? 1 : (f > 0 ? f : n);
    torch::Tensor mean = probe.probs.narrow(1, first, rows).mean(std::vector<std::int64_t>{0, 1}).contiguous();
    const float* p = mean.data_ptr<float>();
    result.overlayMemoryAttention.assign(p, p + probe.memoryKeys);
    result.overlayFamAttention.assign(p + probe.memoryKeys, p + probe.memoryKeys + f);
    result.overlayAttention.assign(p + probe.memoryKeys + f, p + probe.memoryKeys + f + n);
    for (float v : result.overlayMemoryAttention)
        result.overlayOnMemory += v;
    for (float v : result.overlayFamAttention)
        result.overlayOnPreviousFam += v;
    result.overlayMemoryFirstToken = result.overlayFirstToken - probe.memoryKeys;
    double keys = 0;
    for (std::int64_t r = first; r < first + rows; ++r)
        keys += visibleKeys(probe, f, result.causal, r);
    result.overlayVisibleKeys = keys / double(rows);
}

} // namespace

std::int64_t famBlockTokens(std::int64_t length, int block, std::int64_t index)
{
    return std::max<std::int64_t>(0, std::min<std::int64_t>(block, length - index * block));
}

std::int64_t famSequenceLength(const FamRequest& r)
{
    if (!r.imageRgb.empty())
        return r.model ? vitConfigOf(*r.model).numPatches() : 0;
    return r.streamLength;
}

void validateFamSizes(std::int64_t length, int block, int memory, int fam, bool withFam)
{
    if (length < 1 || length > kMaxStreamLength)
        throw Error("FAM: sequence length must be between 1 and " + std::to_string(kMaxStreamLength) + " (got "
                    + std::to_string(length) + ")");
    if (block < 1)
        throw Error("FAM: block must be at least 1 (got " + std::to_string(block) + ")");
    if (block > length)
        throw Error("FAM: block " + std::to_string(block) + " is larger than the sequence (" + std::to_string(length)
                    + " tokens)");
    if (memory < 0 || memory > 4096)
        throw Error("FAM: memory must be between 0 and 4096 blocks (got " + std::to_string(memory) + ")");
    if (withFam && (fam < 1 || fam > 4096))
        throw Error("FAM: FAM length must be between 1 and 4096 (got " + std::to_string(fam) + ")");
}

void validateFamRequest(const FamRequest& r)
{
    if (!r.model)
        throw Error("FAM: no model");
    const std::int64_t length = famSequenceLength(r);
    validateFamSizes(length, r.block, r.memory, r.fam, r.withFam);
    const std::int64_t blocks = (length + r.block - 1) / r.block;
    if (r.overlayBlock >= blocks)
        throw Error("FAM: overlay block " + std::to_string(r.overlayBlock) + " does not exist (" + std::to_string(blocks)
                    + " blocks)");
    const std::int64_t queries = famBlockTokens(length, r.block, r.overlayBlock >= 0 ? r.overlayBlock : blocks - 1)
                                 + (r.withFam ? r.fam : 0);
    if (r.overlayQuery < -1 || r.overlayQuery >= queries)
        throw Error("FAM: query " + std::to_string(r.overlayQuery) + " does not exist (the overlay block has " + std::to_string(queries)
                    + " queries, 0 to " + std::to_string(queries - 1) + ", or -1 for the mean)");
    if (r.overlayLayer >= vitConfigOf(*r.model).depth)
        throw Error("FAM: overlay layer " + std::to_string(r.overlayLayer) + " does not exist ("
                    + std::to_string(vitConfigOf(*r.model).depth) + " layers)");
    if (r.keepOutputs && length > kMaxKeptOutputs)
        throw Error("FAM: outputs are kept only for sequences up to " + std::to_string(kMaxKeptOutputs) + " tokens");
}

std::int64_t estimateFamMemoryBytes(const FamRequest& r)
{
    validateFamRequest(r);
    const VitConfig& c = vitConfigOf(*r.model);
    const std::int64_t d = c.width, h = c.heads, b = r.block, s = r.memory, f = r.withFam ? r.fam : 0;
    // A layer step takes FamStreamer::blocksPerStep blocks at once (their own rows batched).
    const std::int64_t blocks = FamStreamer::blocksPerStep(r.block);
    const std::int64_t rows = blocks * b + f, keys = s * b + f + b;
    // Held across blocks, per layer: memory keys and values (s blocks, s + 1 while a block's
    // own keys join them), the FAM.
    const std::int64_t cache = c.depth * (2 * s * b * d + f * d) + 2 * blocks * b * d;
    // One layer step: input, norm, qkv and its head copies, gathered keys/values, logits and
    // weights (through the fused kernel only the weights of a probed block), bias, attention
    // output, projection, residual, norm, MLP hidden twice, output.
    const std::int64_t scores = (fusedAttentionHandles(d / h) ? 1 : 2) * h * (b + f) * keys;
    const std::int64_t step = rows * (12 * d + 2 * c.mlpHidden) + 2 * keys * d + scores + (b + f) * keys;
    std::int64_t floats = cache + step + f * d * 2;
    const std::int64_t length = famSequenceLength(r);
    if (!r.imageRgb.empty())
        floats += 3LL * c.imageSize * c.imageSize + 3 * length * d; // image, embeddings, positions added
    else
        floats += blocks * b * d;                                   // the synthetic blocks
    if (r.keepOutputs)
        floats += length * d;
    // Temporaries this count does not name one by one (reshape copies, the output checksum).
    return floats * 4 * 5 / 4;
}

namespace {

// What a run is before it runs: its sizes, overlay and memory estimate, refused when above half
// of what is available.
FamResult famResultBeforeRun(const FamRequest& request)
{
    const VitConfig& config = request.model->net->config;
    FamResult result;
    result.config = config;
    result.weights = request.model->source.weightsLabel();
    result.imageMode = !request.imageRgb.empty();
    result.withFam = request.withFam;
    result.causal = causalOf(request);
    result.length = famSequenceLength(request);
    result.block = request.block;
    result.memory = request.memory;
    result.fam = request.withFam ? request.fam : 0;
    result.width = config.width;
    result.blocks = (result.length + request.block - 1) / request.block;
    result.estimatedMemoryBytes = estimateFamMemoryBytes(request);
    const std::int64_t available = availableMemoryBytes();
    if (available > 0 && result.estimatedMemoryBytes > available / 2)
        throw Error("FAM: needs about " + formatBytes(double(result.estimatedMemoryBytes)) + ", more than half of the "
                    + formatBytes(double(available)) + " available");
    result.overlayBlock = request.overlayBlock >= 0 ? request.overlayBlock : static_cast<int>(result.blocks - 1);
    result.overlayLayer = request.overlayLayer >= 0 ? request.overlayLayer : config.depth - 1;
    result.overlayFirstToken = std::int64_t(result.overlayBlock) * request.block;
    result.overlayQuery = request.overlayQuery;
    return result;
}

// Streams every block through `streamer` (the image's tokens, or synthetic ones) a few blocks at
// a time (FamStreamer::blocksPerStep), keeping the outputs when asked; returns the sum of the
// outputs' magnitudes.
double streamBlocks(FamStreamer& streamer, const torch::Tensor& tokens, const FamRequest& request, FamProbe& probe,
                    const RunControl& control, FamResult& result)
{
    double absSum = 0;
    const std::int64_t perStep = FamStreamer::blocksPerStep(request.block);
    for (std::int64_t t0 = 0; t0 < result.blocks; t0 += perStep) {
        control.throwIfCancelled();
        std::vector<torch::Tensor> xs;
        for (std::int64_t t = t0; t < std::min(result.blocks, t0 + perStep); ++t) {
            const std::int64_t first = t * request.block;
            const int n = static_cast<int>(std::min<std::int64_t>(request.block, result.length - first));
            xs.push_back(result.imageMode ? tokens.narrow(1, first, n) : syntheticBlock(t, n, result.config.width, request.streamSeed));
        }
        const std::int64_t done = t0 + static_cast<std::int64_t>(xs.size());
        for (const torch::Tensor& y : streamer.stepBlocks(xs, &probe)) {
            absSum += y.abs().sum().item<double>();
            if (request.keepOutputs) {
                torch::Tensor yc = y.contiguous();
                result.outputs.insert(result.outputs.end(), yc.data_ptr<float>(), yc.data_ptr<float>() + yc.numel());
            }
        }
        control.progress(static_cast<int>(std::min<std::int64_t>(done, INT32_MAX)),
                         static_cast<int>(std::min<std::int64_t>(result.blocks, INT32_MAX)),
                         "block " + std::to_string(done) + "/" + std::to_string(result.blocks));
    }
    return absSum;
}

} // namespace

FamResult runFam(const FamRequest& request, const RunControl& control)
{
    validateFamRequest(request);
    MemoryTracker::install();
    const VisionTransformerImpl& net = *request.model->net;
    const VitConfig& config = net.config;
    FamResult result = famResultBeforeRun(request);
    if (result.imageMode) {
        result.crop = preprocessImage(request.imageRgb, config.imageSize, vitDescriptionOf(*request.model).preprocessing).rgb;
        result.grid = config.gridSize();
    }

    try {
        c10::InferenceMode guard;
        PeakMemoryScope peak;
        FlopCountScope flops;
        const auto start = std::chrono::steady_clock::now();

        std::vector<Block> blocks;
        for (int i = 0; i < config.depth; ++i)
            blocks.push_back(net.block(i));
        const FamSettings settings = settingsOf(request);
        torch::Tensor prompt = request.withFam ? famPromptTokens(request.fam, config.width, request.promptSeed) : torch::Tensor();
        FamStreamer streamer(std::move(blocks), settings, prompt);
        const Preprocessing& pre = vitDescriptionOf(*request.model).preprocessing;
        const Normalisation norm = pre.fromSideFiles && !request.normalisationGiven ? pre.normalisation : request.normalisation;
        torch::Tensor tokens = result.imageMode ? imageTokens(net, result.crop, norm) : torch::Tensor();
        FamProbe probe;
        probe.block = result.overlayBlock;
        probe.layer = result.overlayLayer;
        if (request.keepOutputs)
            result.outputs.reserve(static_cast<std::size_t>(result.length * config.width));

        const double absSum = streamBlocks(streamer, tokens, request, probe, control, result);
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        result.tokensPerSecond = result.seconds > 0 ? static_cast<double>(result.length) / result.seconds : 0.0;
        result.peakMemoryBytes = peak.peakAboveStart();
        result.flops = flops.tally();
        result.outputMeanAbs = absSum / (static_cast<double>(result.length) * config.width);
        captureOverlay(probe, result);
    } catch (const c10::Error& e) {
        throw Error(std::string("FAM: ") + e.what_without_backtrace());
    }
    return result;
}

} // namespace ts
