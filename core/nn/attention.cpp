#include "core/nn/attention.h"

#include "core/nn/attention_path.h"
#include "core/nn/flop_counter.h"
#include "core/nn/fused_attention.h"
#include "core/nn/ops.h"

#include <cmath>

namespace ts {

torch::Tensor scaledDotAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                 const torch::Tensor& bias, torch::Tensor* probs)
{
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    torch::Tensor fused = StandardAttentionScope::active() ? torch::Tensor() : fusedAttention(q, k, v, bias, scale, probs);
    if (fused.defined()) {
        if (FlopCountScope::active()) { // what the ops below count
            const double logits = static_cast<double>(fused.numel() / fused.size(-1)) * static_cast<double>(k.size(-2));
            FlopCountScope::addMatmul("attn_qk", 2.0 * logits * static_cast<double>(q.size(-1)));
            FlopCountScope::addElementwise("softmax", 5.0 * logits);
            FlopCountScope::addMatmul("attn_av", 2.0 * static_cast<double>(fused.numel()) * static_cast<double>(k.size(-2)));
        }
        return fused;
    }
    // Scaling q (N*d) rather than the logits (N*N) is cheaper and gives the same result.
    torch::Tensor logits = ops::matmul(q * scale, k.transpose(-2, -1), "attn_qk");
    if (bias.defined())
        logits.add_(bias);
    torch::Tensor weights = ops::softmax(logits);
    logits = torch::Tensor();
    if (probs)
        *probs = weights;
    return ops::matmul(weights, v, "attn_av");
}

} // namespace ts
