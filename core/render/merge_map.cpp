#include "core/render/merge_map.h"

#include "core/util/error.h"

#include <opencv2/imgproc.hpp>

#include <map>

namespace ts {
namespace {

void checkInputs(const cv::Mat& crop, int grid, std::size_t entries, int outputSize)
{
    if (crop.empty() || crop.type() != CV_8UC3 || crop.rows != crop.cols)
        throw Error("merge map: expected a square RGB crop");
    if (grid <= 0 || entries != static_cast<std::size_t>(grid) * static_cast<std::size_t>(grid))
        throw Error("merge map: " + std::to_string(entries) + " patch entries do not form a " + std::to_string(grid) + "-grid");
    if (outputSize < grid || outputSize > 16384)
        throw Error("merge map: output size " + std::to_string(outputSize) + " out of range");
}

// Pixel span [begin, end) of patch row/col i in an image of `size` pixels.
int edge(int i, int grid, int size) { return static_cast<int>(static_cast<long long>(i) * size / grid); }

} // namespace

cv::Mat renderMergeMap(const cv::Mat& crop, int grid, const std::vector<int>& tokenOfPatch, const MergeMapStyle& style)
{
    checkInputs(crop, grid, tokenOfPatch.size(), style.outputSize);
    // Mean colour of every group, over all its pixels in the crop.
    std::map<int, cv::Vec3d> sum;
    std::map<int, double> count;
    const int s = crop.rows;
    for (int py = 0; py < grid; ++py) {
        for (int px = 0; px < grid; ++px) {
            const int token = tokenOfPatch[static_cast<std::size_t>(py * grid + px)];
            const cv::Rect cell(edge(px, grid, s), edge(py, grid, s), edge(px + 1, grid, s) - edge(px, grid, s),
                                edge(py + 1, grid, s) - edge(py, grid, s));
            const cv::Scalar mean = cv::mean(crop(cell));
            sum[token] += cv::Vec3d(mean[0], mean[1], mean[2]) * cell.area();
            count[token] += cell.area();
        }
    }
    const int n = style.outputSize;
    cv::Mat base;
    cv::resize(crop, base, cv::Size(n, n), 0, 0, cv::INTER_AREA);
    cv::Mat out(n, n, CV_8UC3);
    for (int py = 0; py < grid; ++py) {
        for (int px = 0; px < grid; ++px) {
            const int token = tokenOfPatch[static_cast<std::size_t>(py * grid + px)];
            const cv::Vec3d c = sum[token] / count[token];
            const cv::Rect cell(edge(px, grid, n), edge(py, grid, n), edge(px + 1, grid, n) - edge(px, grid, n),
                                edge(py + 1, grid, n) - edge(py, grid, n));
            cv::Mat fill(cell.size(), CV_8UC3, cv::Scalar(c[0], c[1], c[2]));
            if (style.opacity < 1.0)
                cv::addWeighted(fill, style.opacity, base(cell), 1.0 - style.opacity, 0.0, fill);
            fill.copyTo(out(cell));
        }
    }
    if (style.borders) {
        for (int py = 0; py < grid; ++py) {
            for (int px = 0; px < grid; ++px) {
                const int token = tokenOfPatch[static_cast<std::size_t>(py * grid + px)];
                const int x1 = edge(px + 1, grid, n), y1 = edge(py + 1, grid, n);
                const int x0 = edge(px, grid, n), y0 = edge(py, grid, n);
                if (px + 1 < grid && tokenOfPatch[static_cast<std::size_t>(py * grid + px + 1)] != token)
                    out(cv::Rect(x1 - 1, y0, 1, y1 - y0)).setTo(cv::Scalar(style.borderColour[0], style.borderColour[1], style.borderColour[2]));
                if (py + 1 < grid && tokenOfPatch[static_cast<std::size_t>((py + 1) * grid + px)] != token)
                    out(cv::Rect(x0, y1 - 1, x1 - x0, 1)).setTo(cv::Scalar(style.borderColour[0], style.borderColour[1], style.borderColour[2]));
            }
        }
    }
    return out;
}

cv::Vec3b lineageColour(int layer, int maxLayer)
{
    const double t = maxLayer > 0 ? std::clamp(static_cast<double>(layer) / maxLayer, 0.0, 1.0) : 0.0;
    // Blue -> yellow -> red: early joins cool, late joins warm.
    const double r = t < 0.5 ? 2 * t : 1.0;
    const double g = t < 0.5 ? 2 * t : 2 * (1 - t);
    const double b = t < 0.5 ? 1 - 2 * t : 0.0;
    return cv::Vec3b(static_cast<uchar>(40 + 215 * r), static_cast<uchar>(40 + 200 * g), static_cast<uchar>(40 + 215 * b));
}

cv::Mat renderLineage(const cv::Mat& crop, int grid, const std::vector<int>& joinLayer, int maxLayer, int outputSize)
{
    checkInputs(crop, grid, joinLayer.size(), outputSize);
    const int n = outputSize;
    cv::Mat out;
    cv::resize(crop, out, cv::Size(n, n), 0, 0, cv::INTER_AREA);
    for (int py = 0; py < grid; ++py) {
        for (int px = 0; px < grid; ++px) {
            const int join = joinLayer[static_cast<std::size_t>(py * grid + px)];
            const cv::Rect cell(edge(px, grid, n), edge(py, grid, n), edge(px + 1, grid, n) - edge(px, grid, n),
                                edge(py + 1, grid, n) - edge(py, grid, n));
            cv::Mat region = out(cell);
            if (join < 0) {
                region.convertTo(region, -1, 0.3, 0); // dim patches outside the region
            } else {
                const cv::Vec3b c = lineageColour(join, maxLayer);
                cv::Mat tint(cell.size(), CV_8UC3, cv::Scalar(c[0], c[1], c[2]));
                cv::addWeighted(region, 0.45, tint, 0.55, 0.0, region);
                if (join == 0)
                    cv::rectangle(out, cell, cv::Scalar(255, 255, 255), 2);
            }
        }
    }
    return out;
}

} // namespace ts
