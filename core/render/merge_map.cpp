#include "core/render/merge_map.h"

#include "core/util/error.h"

#include <opencv2/imgproc.hpp>

#include <cstdint>
#include <map>
#include <random>
#include <set>

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

// Pixels of patch (px, py) in an image of `size` pixels.
cv::Rect cellRect(int px, int py, int grid, int size)
{
    return {edge(px, grid, size), edge(py, grid, size), edge(px + 1, grid, size) - edge(px, grid, size),
            edge(py + 1, grid, size) - edge(py, grid, size)};
}

// Mean colour of every group over all its pixels in the crop.
std::map<int, cv::Vec3d> meanColours(const cv::Mat& crop, int grid, const std::vector<int>& tokenOfPatch)
{
    std::map<int, cv::Vec3d> sum;
    std::map<int, double> count;
    const int s = crop.rows;
    for (int py = 0; py < grid; ++py) {
        for (int px = 0; px < grid; ++px) {
            const int token = tokenOfPatch[static_cast<std::size_t>(py * grid + px)];
            const cv::Rect cell = cellRect(px, py, grid, s);
            const cv::Scalar mean = cv::mean(crop(cell));
            sum[token] += cv::Vec3d(mean[0], mean[1], mean[2]) * cell.area();
            count[token] += cell.area();
        }
    }
    for (auto& [token, c] : sum)
        c /= count[token];
    return sum;
}

// A random colour per group, keyed on the group's smallest patch index.
std::map<int, cv::Vec3d> randomColours(int grid, const std::vector<int>& tokenOfPatch)
{
    const std::vector<cv::Vec3b> palette = randomGroupColours(grid * grid);
    std::map<int, cv::Vec3d> out;
    for (int p = 0; p < grid * grid; ++p) // raster order: the first patch seen is the smallest
        out.try_emplace(tokenOfPatch[static_cast<std::size_t>(p)], cv::Vec3d(palette[static_cast<std::size_t>(p)]));
    return out;
}

// Both sides of every edge between groups, each in the ink that contrasts with its own cell.
void drawBorders(cv::Mat& out, int grid, const std::vector<int>& tokenOfPatch)
{
    const int n = out.rows;
    std::vector<cv::Vec3b> ink(static_cast<std::size_t>(grid * grid));
    for (int p = 0; p < grid * grid; ++p) {
        const cv::Scalar m = cv::mean(out(cellRect(p % grid, p / grid, grid, n)));
        ink[static_cast<std::size_t>(p)] = contrastingInk(cv::Vec3b(cv::saturate_cast<uchar>(m[0]), cv::saturate_cast<uchar>(m[1]),
                                                                    cv::saturate_cast<uchar>(m[2])));
    }
    auto paint = [&](const cv::Rect& r, int patch) {
        const cv::Vec3b c = ink[static_cast<std::size_t>(patch)];
        out(r).setTo(cv::Scalar(c[0], c[1], c[2]));
    };
    for (int py = 0; py < grid; ++py) {
        for (int px = 0; px < grid; ++px) {
            const int p = py * grid + px;
            const int token = tokenOfPatch[static_cast<std::size_t>(p)];
            const int x0 = edge(px, grid, n), x1 = edge(px + 1, grid, n), y0 = edge(py, grid, n), y1 = edge(py + 1, grid, n);
            if (px + 1 < grid && tokenOfPatch[static_cast<std::size_t>(p + 1)] != token) {
                paint(cv::Rect(x1 - 1, y0, 1, y1 - y0), p);
                paint(cv::Rect(x1, y0, 1, y1 - y0), p + 1);
            }
            if (py + 1 < grid && tokenOfPatch[static_cast<std::size_t>(p + grid)] != token) {
                paint(cv::Rect(x0, y1 - 1, x1 - x0, 1), p);
                paint(cv::Rect(x0, y1, x1 - x0, 1), p + grid);
            }
        }
    }
}

} // namespace

cv::Vec3b contrastingInk(const cv::Vec3b& c)
{
    const double luma = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    return luma > 140 ? cv::Vec3b(20, 20, 20) : cv::Vec3b(245, 245, 245);
}

std::vector<cv::Vec3b> randomGroupColours(int count)
{
    std::mt19937 rng(20230201u); // fixed: a figure is the same on every run and platform
    std::vector<cv::Vec3b> out;
    std::set<std::uint32_t> used;
    out.reserve(static_cast<std::size_t>(std::max(0, count)));
    while (static_cast<int>(out.size()) < count) {
        // Channels in 30..229: no near-black or near-white group, whose border would vanish.
        const cv::Vec3b c(static_cast<uchar>(30 + rng() % 200), static_cast<uchar>(30 + rng() % 200), static_cast<uchar>(30 + rng() % 200));
        if (used.insert((std::uint32_t(c[0]) << 16) | (std::uint32_t(c[1]) << 8) | c[2]).second)
            out.push_back(c);
    }
    return out;
}

cv::Mat renderMergeMap(const cv::Mat& crop, int grid, const std::vector<int>& tokenOfPatch, const MergeMapStyle& style)
{
    checkInputs(crop, grid, tokenOfPatch.size(), style.outputSize);
    const std::map<int, cv::Vec3d> colour = style.randomColours ? randomColours(grid, tokenOfPatch) : meanColours(crop, grid, tokenOfPatch);
    const int n = style.outputSize;
    cv::Mat base;
    cv::resize(crop, base, cv::Size(n, n), 0, 0, cv::INTER_AREA);
    cv::Mat out(n, n, CV_8UC3);
    for (int py = 0; py < grid; ++py) {
        for (int px = 0; px < grid; ++px) {
            const cv::Vec3d c = colour.at(tokenOfPatch[static_cast<std::size_t>(py * grid + px)]);
            const cv::Rect cell = cellRect(px, py, grid, n);
            cv::Mat fill(cell.size(), CV_8UC3, cv::Scalar(c[0], c[1], c[2]));
            if (style.opacity < 1.0)
                cv::addWeighted(fill, style.opacity, base(cell), 1.0 - style.opacity, 0.0, fill);
            fill.copyTo(out(cell));
        }
    }
    if (style.borders)
        drawBorders(out, grid, tokenOfPatch);
    return out;
}

cv::Mat renderLineage(const cv::Mat& crop, int grid, const std::vector<int>& joinLayer, const std::vector<cv::Vec3b>& colourOfJoin,
                      int outputSize)
{
    checkInputs(crop, grid, joinLayer.size(), outputSize);
    for (int join : joinLayer)
        if (join >= static_cast<int>(colourOfJoin.size()))
            throw Error("lineage: join after block " + std::to_string(join) + " has no colour (" + std::to_string(colourOfJoin.size()) + " given)");
    const int n = outputSize;
    cv::Mat out;
    cv::resize(crop, out, cv::Size(n, n), 0, 0, cv::INTER_AREA);
    for (int py = 0; py < grid; ++py) {
        for (int px = 0; px < grid; ++px) {
            const int join = joinLayer[static_cast<std::size_t>(py * grid + px)];
            const cv::Rect cell = cellRect(px, py, grid, n);
            cv::Mat region = out(cell);
            if (join < 0) {
                region.convertTo(region, -1, 0.3, 0); // dim patches outside the region
            } else {
                const cv::Vec3b& c = colourOfJoin[static_cast<std::size_t>(join)];
                cv::Mat tint(cell.size(), CV_8UC3, cv::Scalar(c[0], c[1], c[2]));
                cv::addWeighted(region, 0.45, tint, 0.55, 0.0, region);
                if (join == 0) { // the clicked patch: dark under light, visible on any colour
                    cv::rectangle(out, cell, cv::Scalar(20, 20, 20), 3);
                    cv::rectangle(out, cell, cv::Scalar(245, 245, 245), 1);
                }
            }
        }
    }
    return out;
}

} // namespace ts
