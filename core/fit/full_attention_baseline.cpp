#include "core/fit/full_attention_baseline.h"
#include "core/nn/attention_path.h"

#include "core/nn/random_init.h"
#include "core/util/error.h"
#include "core/util/memory_tracker.h"
#include "core/vit/vit_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>

#include <chrono>

namespace ts {

MemoryEstimate estimateFullAttentionRun(const FullAttentionRequest& r)
{
    if (r.size < r.patchSize || r.width % r.heads != 0 || r.depth < 1)
        throw Error("full attention: impossible configuration");
    return estimateFullAttentionMemory(r.tokens(), r.width, r.heads, r.depth, r.mlpRatio, r.patchSize,
                                       (r.size / r.patchSize) * r.patchSize);
}

FullAttentionResult runFullAttentionVit(const FullAttentionRequest& r, const RunControl& control)
{
    const MemoryEstimate estimate = estimateFullAttentionRun(r);
    requireMemory(estimate, r.memoryLimitBytes, "full attention at " + std::to_string(r.tokens()) + " tokens");
    FullAttentionResult result;
    result.tokens = r.tokens();
    result.estimatedMemoryBytes = static_cast<std::int64_t>(estimate.totalBytes());
    c10::InferenceMode guard;
    // Attention as a standard implementation computes it, logits and weights materialised: the
    // memory wall FIT is compared with (the app's own models use the fused kernel).
    const StandardAttentionScope standard;
    try {
        PeakMemoryScope memory;
        at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(r.seed);
        PatchEmbed embed(3, r.width, r.patchSize);
        torch::Tensor pos = torch::empty({1, r.tokens(), r.width});
        truncatedNormal(pos, 0.02, gen);
        std::vector<Block> blocks;
        for (int i = 0; i < r.depth; ++i) {
            blocks.emplace_back(r.width, r.heads, r.mlpRatio * r.width);
            for (auto& p : blocks.back()->parameters())
                if (p.dim() == 2) // weights; biases and LayerNorms keep their defaults
                    truncatedNormal(p, 0.02, gen);
        }
        const auto start = std::chrono::steady_clock::now();
        const int grid = r.size / r.patchSize;
        torch::Tensor x = torch::empty({1, r.tokens(), r.width});
        // Embedded one row of patches at a time (a noise image, generated per row).
        for (int row = 0; row < grid; ++row) {
            torch::Tensor band = torch::rand({1, 3, r.patchSize, grid * r.patchSize}, gen);
            x.narrow(1, std::int64_t(row) * grid, grid).copy_(embed->forward(band));
        }
        x.add_(pos);
        for (int i = 0; i < r.depth; ++i) {
            control.throwIfCancelled();
            x = blocks[static_cast<std::size_t>(i)]->forward(x);
            control.progress(i + 1, r.depth, "full attention layer " + std::to_string(i + 1));
        }
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        result.peakMemoryBytes = memory.peakAboveStart();
    } catch (const c10::Error& e) {
        throw Error(std::string("full attention: ") + e.what_without_backtrace());
    }
    return result;
}

} // namespace ts
