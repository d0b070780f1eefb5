#pragma once
// ToMe's merged-token segmentation map rendered to a cv::Mat (as in the paper's Fig. 4 and the
// authors' make_visualization): each merged group filled with the mean colour of its patches, or
// with a distinct random colour per group as the paper's figures do, with a border where
// neighbouring patches belong to different groups. The border is drawn on both sides of the
// edge, each side in the colour that contrasts with its own group (dark on light, light on dark),
// so it stays visible over white and black areas alike.
#include <opencv2/core.hpp>

#include <vector>

namespace ts {

struct MergeMapStyle {
    int outputSize = 448;   // pixels per side of the rendered map
    double opacity = 1.0;   // 1: the map alone; < 1: blended over the input crop
    bool borders = true;
    // Distinct random colours per group instead of mean colours. A group's colour is keyed on the
    // smallest patch index it holds, so a group keeps its colour across blocks while it grows.
    bool randomColours = false;
};

// crop: the model's input (RGB, square); tokenOfPatch: grid*grid entries in raster order.
cv::Mat renderMergeMap(const cv::Mat& cropRgb, int grid, const std::vector<int>& tokenOfPatch, const MergeMapStyle& style);

// The random colour of every key 0..count-1: pairwise distinct, the same on every platform
// (std::mt19937's sequence is fixed by the standard; no std::uniform_*_distribution).
std::vector<cv::Vec3b> randomGroupColours(int count);

// Border ink for a region of colour `rgb`: near black on light colours, near white on dark ones.
cv::Vec3b contrastingInk(const cv::Vec3b& rgb);

// The lineage of one merged region: patches outside it dimmed, patches inside tinted by the
// block after which they joined (0 = the clicked patch, outlined), in `colourOfJoin[join]` (RGB;
// the figure passes a perceptually uniform ramp, one entry per block 0..max join).
cv::Mat renderLineage(const cv::Mat& cropRgb, int grid, const std::vector<int>& joinLayer, const std::vector<cv::Vec3b>& colourOfJoin,
                      int outputSize);

} // namespace ts
