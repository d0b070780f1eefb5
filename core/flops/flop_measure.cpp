#include "core/flops/flop_measure.h"

#include "core/fam/fam_api.h"
#include "core/fit/fit_memory.h"
#include "core/fit/fit_model.h"
#include "core/nn/attention_path.h"
#include "core/nn/flop_counter.h"
#include "core/nn/ops.h"
#include "core/tome/tome_forward.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/vit/vit_handle.h"

#include <c10/core/InferenceMode.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace ts {
namespace {

constexpr double kFloat = 4.0;

int fitSide(const ArchSpec& s) { return static_cast<int>(std::lround(std::sqrt(double(s.groupSize)))); }

VitConfig vitConfigFor(const ArchSpec& s)
{
    VitConfig c;
    c.name = s.name;
    c.patchSize = s.patchSize > 0 ? s.patchSize : 16;
    c.imageSize = c.patchSize; // pos_embed is not used here: one patch keeps it tiny
    c.width = s.width;
    c.depth = s.depth;
    c.heads = s.heads;
    c.mlpHidden = s.mlpHidden();
    c.numClasses = s.headOutputs;
    c.distillationToken = s.distillationHead;
    c.distillationHead = s.distillationHead;
    c.registers = s.extraTokens - (s.distillationHead ? 1 : 0);
    return c;
}

FitConfig fitConfigFor(const ArchSpec& s)
{
    FitConfig c;
    c.patchSize = s.patchSize > 0 ? s.patchSize : 16;
    c.dataWidth = s.width;
    c.heads = s.heads;
    c.latentWidth = s.latentWidth;
    c.latentHeads = s.latentHeads;
    c.mlpRatio = static_cast<int>(std::lround(s.mlpRatio));
    c.groupSize = fitSide(s);
    c.latentsPerGroup = s.latentsPerGroup;
    c.pattern = s.pattern;
    c.autoregressive = s.causal;
    return c;
}

Grouping fitGroupingFor(const ArchSpec& s, long long length)
{
    const int g = fitSide(s);
    return Grouping(g, static_cast<int>(length / g), g); // one band of g patch rows
}

double transformerParameters(const ArchSpec& s)
{
    const double c = s.width, h = s.mlpHidden();
    const double perLayer = 4 * c * c + 4 * c + 2 * c * h + h + c + 4 * c;
    const double patch = s.patchSize > 0 ? double(s.inChannels) * s.patchSize * s.patchSize * c + c : 0.0;
    return s.depth * perLayer + patch + (s.headOutputs > 0 ? c * s.headOutputs + s.headOutputs : 0.0) + 4 * c;
}

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// --- forward passes (under the caller's FlopCountScope) --------------------------------------------

torch::Tensor inputTokens(const ArchSpec& s, const VisionTransformerImpl& net, long long length)
{
    torch::Tensor x;
    if (s.patchSize > 0) // a 1 x length strip of patches: the patch embedding sees `length` patches
        x = net.patch_embed->forward(torch::randn({1, 3, s.patchSize, s.patchSize * length}));
    else
        x = torch::randn({1, length, s.width});
    if (s.extraTokens > 0) // distillation token, registers: their values do not change the count
        x = torch::cat({torch::randn({1, s.extraTokens, s.width}), x}, /*dim=*/1);
    if (s.classToken)
        x = torch::cat({net.cls_token.expand({1, 1, s.width}), x}, /*dim=*/1);
    return x;
}

torch::Tensor causalBias(std::int64_t n)
{
    return torch::full({n, n}, -std::numeric_limits<float>::infinity()).triu_(1);
}

void finish(const ArchSpec& s, const VisionTransformerImpl& net, const torch::Tensor& x)
{
    if (s.headOutputs > 0 && s.headOnAllTokens)
        ops::linear(ops::layerNorm(x, net.norm), net.head, "head");
    else
        net.classify(x);
}

void runTransformer(const ArchSpec& s, const VisionTransformerImpl& net, long long length, const RunControl& control)
{
    torch::Tensor x = inputTokens(s, net, length);
    const std::int64_t n = x.size(1);
    for (int i = 0; i < s.depth; ++i) {
        control.throwIfCancelled();
        const Block b = net.block(i);
        if (s.kind == ArchKind::Window) {
            // Windows of w tokens run as a batch; the remainder is its own window.
            const std::int64_t w = std::min<std::int64_t>(s.window, n), full = n / w, rest = n - full * w;
            torch::Tensor bias = s.causal ? causalBias(w) : torch::Tensor();
            auto layer = [&b](const torch::Tensor& in, const torch::Tensor& mask) {
                return b->mlpResidual(b->attentionResidual(in, mask));
            };
            std::vector<torch::Tensor> parts{
                layer(x.narrow(1, 0, full * w).reshape({full, w, s.width}), bias).reshape({1, full * w, s.width})};
            if (rest > 0)
                parts.push_back(layer(x.narrow(1, full * w, rest), s.causal ? causalBias(rest) : torch::Tensor()));
            x = torch::cat(parts, /*dim=*/1);
        } else {
            x = b->mlpResidual(b->attentionResidual(x, s.causal ? causalBias(n) : torch::Tensor()));
        }
        control.progress(i + 1, s.depth, "layer " + std::to_string(i + 1) + "/" + std::to_string(s.depth));
    }
    finish(s, net, x);
}

// The ToMe lab's own block loop (core/tome/tome_forward.h) with the model's method and schedule,
// proportional attention on, over the strip's tokens.
void runToMe(const ArchSpec& s, const VisionTransformerImpl& net, long long length, const RunControl& control)
{
    const std::vector<int> perLayer = s.schedule.perLayer(s.depth);
    ReducingPass pass;
    pass.perLayer = &perLayer;
    pass.reduction.method = s.reduction;
    pass.proportional = true;
    pass.control = &control;
    pass.totalSteps = s.depth;
    finish(s, net, forwardReducing(net, inputTokens(s, net, length), pass).x);
}

std::shared_ptr<VitModel> buildNet(const ArchSpec& s, std::uint64_t seed)
{
    auto model = std::make_shared<VitModel>();
    model->source.preset = s.name;
    model->source.seed = seed;
    model->net = VisionTransformer(vitConfigFor(s));
    model->net->initialiseRandom(seed);
    model->net->eval();
    return model;
}

FlopMeasurement measureFit(const ArchSpec& s, long long length, const RunControl& control, const MeasureOptions& o)
{
    FlopMeasurement m;
    const FitConfig config = fitConfigFor(s);
    const Grouping grouping = fitGroupingFor(s, length);
    PeakMemoryScope peak;
    FitModel model(config, grouping);
    model->initialiseRandom(o.seed);
    model->eval();
    FitForwardOptions options;
    options.chunkTokens = o.fitChunkTokens;
    options.control = &control;
    FlopCountScope flops;
    const auto start = std::chrono::steady_clock::now();
    torch::Tensor x;
    if (s.patchSize > 0)
        x = model->embed(torch::randn({1, 3, std::int64_t(grouping.gridRows()) * s.patchSize,
                                       std::int64_t(grouping.gridCols()) * s.patchSize}));
    else
        x = torch::randn({grouping.groups(), grouping.tokensPerGroup(), s.width});
    model->forward(x, options);
    m.seconds = secondsSince(start);
    m.peakMemoryBytes = peak.peakAboveStart();
    m.parts = flops.tally().matmulByPart;
    m.elementwise = flops.tally().elementwiseByPart;
    return m;
}

FlopMeasurement measureStream(const ArchSpec& s, long long length, const RunControl& control, const MeasureOptions& o)
{
    FlopMeasurement m;
    PeakMemoryScope peak;
    FamRequest request;
    request.model = buildNet(s, o.seed);
    const std::int64_t weights = peak.peakAboveStart();
    request.streamLength = length;
    request.block = s.block;
    request.memory = s.memory;
    request.withFam = s.kind == ArchKind::Fam;
    request.fam = s.famLength;
    request.causal = s.causal;
    const FamResult r = runFam(request, control);
    m.seconds = r.seconds;
    m.peakMemoryBytes = weights + r.peakMemoryBytes;
    m.parts = r.flops.matmulByPart;
    m.elementwise = r.flops.elementwiseByPart;
    return m;
}

FlopMeasurement measureVit(const ArchSpec& s, long long length, const RunControl& control, const MeasureOptions& o)
{
    FlopMeasurement m;
    PeakMemoryScope peak;
    const std::shared_ptr<VitModel> model = buildNet(s, o.seed);
    FlopCountScope flops;
    const auto start = std::chrono::steady_clock::now();
    if (s.kind == ArchKind::ToMe)
        runToMe(s, *model->net, length, control);
    else
        runTransformer(s, *model->net, length, control);
    m.seconds = secondsSince(start);
    m.peakMemoryBytes = peak.peakAboveStart();
    m.parts = flops.tally().matmulByPart;
    m.elementwise = flops.tally().elementwiseByPart;
    return m;
}

} // namespace

std::string measureUnsupportedReason(const ArchSpec& s, long long length)
{
    if (s.patchSize > 0 && s.inChannels != 3)
        return "the app's patch embedding takes 3 channels";
    if (length > (1LL << 31) / 2)
        return "longer than the app's models take";
    switch (s.kind) {
    case ArchKind::Transformer:
    case ArchKind::Window:
    case ArchKind::ToMe: return {};
    case ArchKind::Fit: {
        const int g = fitSide(s);
        if (g * g != s.groupSize || g > 256)
            return "the app's FIT groups are g x g patch windows: group_size must be a square up to 256^2";
        if (std::abs(s.mlpRatio - std::lround(s.mlpRatio)) > 1e-9 || s.mlpRatio < 1)
            return "the app's FIT takes a whole MLP ratio";
        if (s.headOutputs > 0)
            return "the app's FIT has no head";
        if (length % g != 0 || length / g < g)
            return "FIT runs on one band of g = " + std::to_string(g) + " patch rows: length must be a multiple of g and at least g^2";
        try {
            fitConfigFor(s).validate();
        } catch (const Error& e) {
            return e.what();
        }
        return {};
    }
    case ArchKind::Bswa:
    case ArchKind::Fam:
        if (s.patchSize > 0)
            return "the app's FAM lab measures token streams (set patch_size to 0)";
        if (s.headOutputs > 0)
            return "the app's FAM stream has no head";
        if (s.block > length)
            return "the block is longer than the sequence";
        return {};
    }
    return {};
}

std::int64_t estimateMeasureMemory(const ArchSpec& s, long long length, const MeasureOptions& o)
{
    const double c = s.width, hid = s.mlpHidden(), h = s.heads, L = double(length);
    if (s.kind == ArchKind::Fit) {
        const MemoryEstimate e = estimateFitMemory(fitConfigFor(s), fitGroupingFor(s, length), o.fitChunkTokens);
        // The same margin as below: core/fit's estimate tracks the implementation closely but was
        // seen a few percent under the measured peak on tiny padded grids.
        return std::int64_t(1.15 * (e.totalBytes() + (s.patchSize > 0 ? 0.0 : kFloat * L * c))) + (16LL << 20);
    }
    const double weights = transformerParameters(s) * kFloat;
    const bool fused = fusedAttentionHandles(s.width / s.heads); // attention without [.., N, M] tensors
    double floats = 0;
    if (s.kind == ArchKind::Bswa || s.kind == ArchKind::Fam) {
        // Per layer: memory keys/values and the FAM; one block step's activations and logits.
        const double b = s.block, f = s.kind == ArchKind::Fam ? s.famLength : 0, rows = b + f, keys = s.memory * b + f + b;
        floats = s.depth * (2 * s.memory * b * c + f * c) + rows * (12 * c + 2 * hid) + 2 * keys * c
                 + (fused ? 1 : 2 * h + 1) * rows * keys;
    } else {
        const double n = double(tokensFor(s, length));
        const double w = s.kind == ArchKind::Window ? std::min<double>(s.window, n) : n;
        // Per layer: all windows' (or the whole) logits; none through the fused kernel.
        const double logits = fused ? 0.0 : h * n * w;
        const double attention = 9 * n * c + 2 * logits + (s.causal ? w * w : 0.0);
        const double mlp = 2 * n * c + 2 * n * hid;
        const double embed = s.patchSize > 0 ? 2.0 * 3 * s.patchSize * s.patchSize * L : n * c;
        const double tome = s.kind == ArchKind::ToMe ? 3 * (n / 2) * (n / 2) / 1.0 + 6 * n * c : 0.0;
        floats = n * c + std::max({attention, mlp, embed, tome});
    }
    return std::int64_t(1.15 * (weights + kFloat * floats)) + (16LL << 20);
}

FlopMeasurement measureFlops(const ArchSpec& spec, long long length, const RunControl& control, const MeasureOptions& o)
{
    FlopMeasurement m;
    m.analyticFlops = countFlops(spec, length).total;
    const std::string reason = measureUnsupportedReason(spec, length);
    if (!reason.empty()) {
        m.status = MeasureStatus::Unsupported;
        m.note = reason;
        return m;
    }
    m.estimatedMemoryBytes = estimateMeasureMemory(spec, length, o);
    const std::int64_t limit = o.memoryLimitBytes > 0 ? o.memoryLimitBytes : defaultMemoryLimit();
    if (limit > 0 && m.estimatedMemoryBytes > limit) {
        m.status = MeasureStatus::TooLarge;
        m.note = "needs about " + formatBytes(double(m.estimatedMemoryBytes)) + ", limit " + formatBytes(double(limit));
        return m;
    }
    MemoryTracker::install();
    try {
        c10::InferenceMode guard;
        FlopMeasurement run;
        if (spec.kind == ArchKind::Fit)
            run = measureFit(spec, length, control, o);
        else if (spec.kind == ArchKind::Bswa || spec.kind == ArchKind::Fam)
            run = measureStream(spec, length, control, o);
        else
            run = measureVit(spec, length, control, o);
        m.parts = run.parts;
        m.elementwise = run.elementwise;
        m.seconds = run.seconds;
        m.peakMemoryBytes = run.peakMemoryBytes;
        for (const auto& [part, v] : m.parts)
            m.flops += v;
        m.status = MeasureStatus::Ran;
    } catch (const Cancelled&) {
        throw;
    } catch (const c10::Error& e) {
        m.status = MeasureStatus::Failed;
        m.note = e.what_without_backtrace();
    } catch (const std::exception& e) {
        m.status = MeasureStatus::Failed;
        m.note = e.what();
    }
    return m;
}

MeasureWork estimateMeasureWork(const FlopReport& report, const MeasureOptions& o)
{
    MeasureWork work;
    const std::int64_t limit = o.memoryLimitBytes > 0 ? o.memoryLimitBytes : defaultMemoryLimit();
    for (const FlopSeries& s : report.series)
        for (const FlopPoint& p : s.points) {
            if ((o.maxLength > 0 && p.length > o.maxLength) || !measureUnsupportedReason(s.spec, p.length).empty())
                continue;
            if (limit > 0 && estimateMeasureMemory(s.spec, p.length, o) > limit)
                continue; // refused by the memory check, never run
            const double flops = countFlops(s.spec, p.length).total;
            work.totalFlops += flops;
            ++work.points;
            if (flops > work.largestFlops) {
                work.largestFlops = flops;
                work.largestLabel = s.spec.name + " at " + std::to_string(p.length);
            }
        }
    return work;
}

void measureReport(FlopReport& report, const RunControl& control, const MeasureOptions& o)
{
    auto wanted = [&](const FlopPoint& p) { return o.maxLength <= 0 || p.length <= o.maxLength; };
    int total = 0, done = 0;
    for (const FlopSeries& s : report.series)
        total += int(std::count_if(s.points.begin(), s.points.end(), wanted));
    for (FlopSeries& s : report.series)
        for (FlopPoint& p : s.points) {
            if (!wanted(p))
                continue;
            control.throwIfCancelled();
            // Inner progress is per layer; report it as a fraction of this point.
            RunControl inner;
            inner.isCancelled = control.isCancelled;
            const std::string label = s.spec.name + " at " + std::to_string(p.length);
            inner.onProgress = [&](int, int, const std::string& what) { control.progress(done, total, label + ": " + what); };
            p.measured = measureFlops(s.spec, p.length, inner, o);
            control.progress(++done, total, label);
        }
}

} // namespace ts
