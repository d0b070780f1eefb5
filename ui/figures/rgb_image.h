#pragma once
// The one conversion from core's images (8-bit RGB cv::Mat, any row stride) to QImage, used by
// every figure and by the widgets that show the photograph.
#include <QImage>

#include <opencv2/core/mat.hpp>

namespace ts {

// A deep copy of `rgb` (CV_8UC3, RGB order) as QImage::Format_RGB888; null for an empty Mat.
QImage qImageFromRgb(const cv::Mat& rgb);

// `rgb` scaled so that its longer side is `longSide` pixels (area averaging when shrinking),
// then converted as above.
QImage qImageFromRgbScaled(const cv::Mat& rgb, int longSide);

} // namespace ts
