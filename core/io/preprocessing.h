#pragma once
// How an image becomes a model's input, as the checkpoint's side files say: timm's eval transform
// (shorter side resized to floor(size / crop_pct), centre crop, mean and std) or transformers'
// image processors (resize to a shortest edge or to an exact height x width, optional centre crop,
// image_mean and image_std). Without side files: the shorter side resized to the input size,
// centre crop, ImageNet mean and std (the app's behaviour for plain checkpoints). Torch-free.
#include "core/io/image_io.h"

#include <string>

namespace ts {

enum class ResizeFilter { Default, Bilinear, Bicubic };

struct Preprocessing {
    double cropFraction = 1.0;  // timm crop_pct: the crop is this fraction of the resized shorter side
    bool exactResize = false;   // resize to a square (aspect not kept) before the crop (transformers size {h, w})
    ResizeFilter filter = ResizeFilter::Default; // Default: area when shrinking, bicubic when enlarging
    Normalisation normalisation;
    std::string origin = "defaults (ImageNet mean and std, resize shorter side, centre crop)";
    bool fromSideFiles = false; // mean and std (and the rest) read from a checkpoint's side files

    bool isDefault() const { return cropFraction == 1.0 && !exactResize && filter == ResizeFilter::Default; }
    // "crop 0.875, bicubic, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]"
    std::string describe() const;
};

// The model's `size` x `size` input. Enlarging uses the named filter, shrinking OpenCV's area
// filter whatever the name (PIL, which timm and transformers use, antialiases when shrinking; a
// plain bicubic kernel would alias), so pixels are close to, not equal to, PIL's.
SquareCrop preprocessImage(const cv::Mat& rgb, int size, const Preprocessing& p);

} // namespace ts
