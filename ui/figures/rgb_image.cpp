#include "ui/figures/rgb_image.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace ts {

QImage qImageFromRgb(const cv::Mat& rgb)
{
    if (rgb.empty())
        return {};
    const QImage view(rgb.data, rgb.cols, rgb.rows, static_cast<int>(rgb.step), QImage::Format_RGB888);
    return view.copy();
}

QImage qImageFromRgbScaled(const cv::Mat& rgb, int longSide)
{
    if (rgb.empty())
        return {};
    const double scale = double(longSide) / std::max(rgb.cols, rgb.rows);
    cv::Mat small;
    cv::resize(rgb, small, cv::Size(std::max(1, int(rgb.cols * scale + 0.5)), std::max(1, int(rgb.rows * scale + 0.5))), 0, 0,
               scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    return qImageFromRgb(small);
}

} // namespace ts
