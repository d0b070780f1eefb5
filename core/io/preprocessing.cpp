#include "core/io/preprocessing.h"

#include "core/util/error.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace ts {

std::string Preprocessing::describe() const
{
    std::ostringstream s;
    s.precision(4);
    s << (exactResize ? "resize to a square" : "resize shorter side") << ", crop " << cropFraction << ", "
      << (filter == ResizeFilter::Bilinear ? "bilinear" : filter == ResizeFilter::Bicubic ? "bicubic" : "area/bicubic")
      << ", mean [" << normalisation.mean[0] << ", " << normalisation.mean[1] << ", " << normalisation.mean[2] << "], std ["
      << normalisation.std[0] << ", " << normalisation.std[1] << ", " << normalisation.std[2] << "]";
    return s.str();
}

SquareCrop preprocessImage(const cv::Mat& rgb, int size, const Preprocessing& p)
{
    if (p.isDefault())
        return centreCrop(rgb, size);
    if (rgb.empty())
        throw Error("image: nothing to crop");
    if (size <= 0 || !(p.cropFraction > 0) || p.cropFraction > 1)
        throw Error("image: crop size must be positive and crop fraction in (0, 1]");
    // timm: scale_size = floor(img_size / crop_pct), then Resize(scale_size) of the shorter side.
    const int scaled = std::max(size, static_cast<int>(std::floor(size / p.cropFraction + 1e-9)));
    int w = scaled, h = scaled;
    double sx = 1, sy = 1;
    if (p.exactResize) {
        sx = static_cast<double>(scaled) / rgb.cols;
        sy = static_cast<double>(scaled) / rgb.rows;
    } else {
        const double scale = static_cast<double>(scaled) / std::min(rgb.cols, rgb.rows);
        // torchvision keeps the shorter side exact and truncates the longer one.
        w = rgb.cols <= rgb.rows ? scaled : static_cast<int>(rgb.cols * scale);
        h = rgb.rows < rgb.cols ? scaled : static_cast<int>(rgb.rows * scale);
        w = std::max(w, scaled);
        h = std::max(h, scaled);
        sx = static_cast<double>(w) / rgb.cols;
        sy = static_cast<double>(h) / rgb.rows;
    }
    cv::Mat resized;
    if (w == rgb.cols && h == rgb.rows) {
        resized = rgb;
    } else {
        const bool shrinking = w < rgb.cols || h < rgb.rows;
        const int filter = shrinking ? cv::INTER_AREA : p.filter == ResizeFilter::Bilinear ? cv::INTER_LINEAR : cv::INTER_CUBIC;
        cv::resize(rgb, resized, cv::Size(w, h), 0, 0, filter);
    }
    // torchvision CenterCrop: offsets int(round((side - size) / 2)), Python's round (half to even).
    const int x = static_cast<int>(std::nearbyint((w - size) / 2.0)), y = static_cast<int>(std::nearbyint((h - size) / 2.0));
    SquareCrop out;
    out.rgb = resized(cv::Rect(x, y, size, size)).clone();
    out.sourceRect = cv::Rect2d(x / sx, y / sy, size / sx, size / sy);
    return out;
}

} // namespace ts
