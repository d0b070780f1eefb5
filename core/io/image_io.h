#pragma once
// Image loading for every view: checked before decoding (empty, truncated, not an image,
// too large for memory) and returned as 8-bit RGB. No torch here.
#include <opencv2/core.hpp>

#include <cstdint>
#include <string>

namespace ts {

struct ImageLoadOptions {
    // Images with more pixels than this are refused (or downscaled when allowDownscale).
    std::int64_t maxPixels = 16384LL * 16384LL;
    bool allowDownscale = false;
};

struct LoadedImage {
    cv::Mat rgb;          // CV_8UC3, RGB order
    int originalWidth = 0, originalHeight = 0;
    std::string notice;   // non-empty when something was changed (alpha dropped, downscaled, 16-bit)
};

// Loads an image file; throws ts::Error naming the file and the problem.
LoadedImage loadImage(const std::string& path, const ImageLoadOptions& options = {});
// Same from bytes in memory (`name` is used in messages). Formats whose size cannot be read from
// the header (core/io/image_header.h) are refused before decoding.
LoadedImage decodeImage(const std::string& bytes, const std::string& name, const ImageLoadOptions& options = {});

// The model's view of an image: the shorter side resized to `size`, then centre-cropped to a
// square (an image already size x size is used as it is).
struct SquareCrop {
    cv::Mat rgb;            // size x size, CV_8UC3
    cv::Rect2d sourceRect;  // the crop's rectangle in the original image's pixels
};
SquareCrop centreCrop(const cv::Mat& rgb, int size);

// Resizes so the image becomes exactly width x height (no crop; for FIT on large images).
cv::Mat resizeTo(const cv::Mat& rgb, int width, int height);

struct Normalisation {
    float mean[3] = {0.485f, 0.456f, 0.406f}; // ImageNet
    float std[3] = {0.229f, 0.224f, 0.225f};
};

} // namespace ts
