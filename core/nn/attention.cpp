#include "core/nn/attention.h"

#include "core/nn/ops.h"

#include <cmath>

namespace ts {

torch::Tensor scaledDotAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                 const torch::Tensor& bias, torch::Tensor* probs)
{
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
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
