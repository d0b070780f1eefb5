#pragma once
// The one place through which every matrix product of the models runs, so the FLOP counter
// (core/nn/flop_counter.h) sees exactly what executes. Include only from model .cpp files.
#include "core/nn/packed_linear.h"

#include <torch/torch.h>

namespace ts::ops {

// x @ W^T + b for a torch Linear layer; counts 2 * rows * in * out under `part`. With `packed`
// (the layer's PackedLinear), inputs of few rows run through the packed weights.
torch::Tensor linear(const torch::Tensor& x, const torch::nn::Linear& layer, const char* part,
                     const PackedLinear* packed = nullptr);
// Same with explicit weight [out, in] and optional bias [out].
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     const char* part, const PackedLinear* packed = nullptr);
// Which path `linear` sends a product of `rows` x `in` by `out` to, given a PackedLinear: the
// packed weights where they are ahead of oneDNN on this processor or where oneDNN would not take
// the product (torch's linear is slower than either on few rows), else oneDNN, else torch.
enum class LinearPath { Packed, OneDnn, Torch };
LinearPath linearPath(std::int64_t rows, std::int64_t in, std::int64_t out);
// Batched a @ b (broadcasting leading dimensions); counts 2 * batch * M * K * N under `part`.
torch::Tensor matmul(const torch::Tensor& a, const torch::Tensor& b, const char* part);

// Softmax over the last dimension, counted as elementwise work (5 FLOPs per element:
// max, subtract, exp, sum, divide).
torch::Tensor softmax(const torch::Tensor& x);
// LayerNorm, counted as elementwise work (about 8 FLOPs per element).
torch::Tensor layerNorm(const torch::Tensor& x, const torch::nn::LayerNorm& norm);
// Exact (erf) GELU, counted as elementwise work (about 8 FLOPs per element).
torch::Tensor gelu(const torch::Tensor& x);

} // namespace ts::ops
