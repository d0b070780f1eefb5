#pragma once
// Which way scaledDotAttention (core/nn/attention.h) computes attention, for code that must know
// without including torch: the memory estimates, and baselines that must compute it the standard
// way. Torch-free.
#include <cstdint>

namespace ts {

// Whether the fused CPU kernel (core/nn/fused_attention.h) takes float32 CPU attention whose
// values are `valueWidth` wide (per head): then no [.., N, M] logits or weights tensor is made,
// unless the weights are asked for. Otherwise torch ops hold the logits and the weights.
bool fusedAttentionHandles(std::int64_t valueWidth);

// While alive, scaledDotAttention on this thread uses torch ops (logits and weights materialised,
// as a standard implementation holds them): for the full-attention baseline FIT is compared with.
class StandardAttentionScope {
public:
    StandardAttentionScope();
    ~StandardAttentionScope();
    StandardAttentionScope(const StandardAttentionScope&) = delete;
    StandardAttentionScope& operator=(const StandardAttentionScope&) = delete;
    static bool active();

private:
    bool m_outer;
};

} // namespace ts
