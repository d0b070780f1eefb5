#pragma once
// For the checkpoint tests: tensors written in a hub's key layout, and forward passes written
// here from the published architectures (timm's VisionTransformer / VisionTransformerDistilled,
// transformers' ViT, DeiT and DINOv2) with plain torch functional calls, independent of the app's
// modules, key mapping and pooling code.
#include <torch/torch.h>

#include <map>
#include <string>

namespace ts::test {

using Tensors = std::map<std::string, torch::Tensor>;

// Writes F32 tensors as .safetensors (with optional metadata); creates the folder.
void writeTensors(const std::string& path, const Tensors& tensors, const std::map<std::string, std::string>& metadata = {});
void writeText(const std::string& path, const std::string& text);

struct RefArch {
    int width = 32, depth = 2, heads = 2, mlp = 64, patch = 16, classes = 5;
    int rows = 2, cols = 2;       // stored position grid
    bool cls = true, dist = false, distHead = false;
    int registers = 0;
    bool noEmbedClass = false;    // timm: pos_embed for the patches only
    bool layerScale = false, normPre = false, fcNorm = false, finalNorm = true;
    bool avgPool = false;         // timm global_pool 'avg'
};

// Random weights (seeded) in timm's key layout for `a`.
Tensors timmWeights(const RefArch& a, std::uint64_t seed);
// timm's forward (eval): logits, or forward_head(pre_logits=True) without a head. The position
// grid is resized to the image's with F.interpolate(bicubic, antialias=True) as
// resample_abs_pos_embed does.
torch::Tensor timmForward(const Tensors& w, const RefArch& a, const torch::Tensor& image, double eps = 1e-6);

enum class HfModel { Vit, Deit, DeitWithTeacher, Dinov2, Dinov2Classifier, Dinov2Registers };
// Random weights in transformers' key layout (with the model-class prefix for the
// *ForImageClassification classes); `a.registers` for Dinov2Registers.
Tensors hfWeights(HfModel m, const RefArch& a, std::uint64_t seed);
// transformers' forward written from modeling_vit / modeling_deit / modeling_dinov2: logits, or the
// pooler-free class-token output (Dinov2Model's pooler_output, ViTModel's layernormed token 0).
torch::Tensor hfForward(HfModel m, const Tensors& w, const RefArch& a, const torch::Tensor& image, double eps);

} // namespace ts::test
