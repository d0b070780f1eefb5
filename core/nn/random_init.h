#pragma once
// The seeded random weights every model here starts from when no checkpoint is given (the ViT,
// FIT, the FLOP lab's measured models): timm's ViT initialisation (Dosovitskiy et al. 2021, as
// timm's init_weights): weights from a truncated normal with std 0.02 clipped at +-2 std, biases
// zero, LayerNorm weight one and bias zero, the class token N(0, 1e-6), LayerScale gammas 1e-5
// (timm's init_values for DeiT-III and DINOv2). Parameters are visited in registration order, so
// one seed names one set of weights. Torch-level header: include it from model sources only.
#include "core/util/run_control.h"

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

#include <cstdint>

namespace ts {

// Fills `t` in place with a truncated normal (std, clipped at +-2 std) from `generator`.
void truncatedNormal(torch::Tensor& t, double std, at::Generator& generator);

// Initialises every parameter of `module` (recursively) by the rules above. `control`, when
// given, is checked for cancellation between parameters (large models take seconds).
void initialiseRandomWeights(torch::nn::Module& module, std::uint64_t seed, const RunControl* control = nullptr);

} // namespace ts
