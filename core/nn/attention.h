#pragma once
// Scaled dot-product attention written with matmul + softmax (LibTorch 1.13 has no fused
// kernel), counted through core/nn/ops.h; on the CPU in one fused pass per head where it can
// (core/nn/fused_attention.h).
#include <torch/torch.h>

namespace ts {

// q [.., Nq, d], k/v [.., Nk, d]. `bias` (optional, broadcastable to [.., Nq, Nk]) is added to
// the logits: -inf masks a key, log(size) gives ToMe's proportional attention. When `probs` is
// given, the attention weights are stored there. Returns [.., Nq, d].
torch::Tensor scaledDotAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                 const torch::Tensor& bias = {}, torch::Tensor* probs = nullptr);

} // namespace ts
