#pragma once
// Scaled dot-product attention in one pass per head on the CPU: logits, bias, softmax and the
// weighted sum of values for a few query rows at a time, in cache, without the [.., N, M] logits
// tensor and the five ATen calls between (q * scale, q k^T, + bias, softmax, weights x v).
//
// Why: at ViT sizes those calls cost more than their arithmetic. At 197 tokens a ViT-S block's
// attention took about 430 us of which softmax alone was 115 (three passes over 6 x 197 x 197
// logits); at the 11-37 tokens ToMe leaves in the last blocks it took 30-60 us for work of
// 1-5 us. LibTorch 1.13 has no fused attention of its own. Include from .cpp files only (torch).
#include <torch/torch.h>

namespace ts {

enum class AttentionKernel {
    Best,     // the widest vector instructions this processor has
    Portable, // plain C++ vectors, any processor; for tests
};
// The kernel Best selects on this processor ("avx512", "avx2" or "portable").
const char* bestAttentionKernelName();

// softmax(q k^T * scale + bias) v, for q [.., N, d], k [.., M, d], v [.., M, dv] with the same
// one or two leading dimensions (any strides, last one 1) and `bias` broadcastable to [.., N, M]
// (-inf masks a key; a row with every key masked gives NaN, as torch's softmax does). Float32
// on the CPU, no autograd recording, dv a multiple of 16, N and M at least 1. Returns
// [.., N, dv] (a view of memory laid out [.., N, heads, dv], so that merging the heads back into
// [.., N, heads * dv] needs no copy), and the weights in `probs` when it is given. Returns an
// undefined tensor when the inputs are outside what it handles: the caller then uses torch ops.
// Equals the torch ops to float rounding (its exp differs from ATen's in the last bit or two;
// sums run in another order), not bit for bit.
torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             const torch::Tensor& bias, double scale, torch::Tensor* probs = nullptr,
                             AttentionKernel kernel = AttentionKernel::Best);

// exp over n floats, as fusedAttention computes it (for tests): within 2 ulp of std::exp on
// normal results, exactly 0 below about -87.3 (and at -inf), +inf above about 88.7, NaN for NaN.
void vectorExp(const float* x, float* y, std::int64_t n, AttentionKernel kernel = AttentionKernel::Best);

} // namespace ts
