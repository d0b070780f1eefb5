#pragma once
// Torch-side helpers shared by every model runner: image -> normalised tensor, top-k classes.
#include "core/io/image_io.h"
#include "core/vit/vit_api.h"

#include <torch/torch.h>

namespace ts {

// A CV_8UC3 RGB image -> [1, 3, H, W] float tensor, normalised per channel.
torch::Tensor imageToTensor(const cv::Mat& rgb, const Normalisation& norm = {});

// Top-k classes of logits [1, classes] (names when there are 1000 classes).
std::vector<ClassScore> topClasses(const torch::Tensor& logits, int k = 5);
// The same with the model's own class names (one per class; "class i" when empty).
std::vector<ClassScore> topClasses(const torch::Tensor& logits, int k, const std::vector<std::string>& names);

} // namespace ts
