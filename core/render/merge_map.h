#pragma once
// ToMe's merged-token segmentation map rendered to a cv::Mat (as in the paper's Fig. 4 and the
// authors' make_visualization): each merged group filled with the mean colour of its patches,
// with a thin border where neighbouring patches belong to different groups.
#include <opencv2/core.hpp>

#include <vector>

namespace ts {

struct MergeMapStyle {
    int outputSize = 448;   // pixels per side of the rendered map
    double opacity = 1.0;   // 1: the map alone; < 1: blended over the input crop
    bool borders = true;
    cv::Vec3b borderColour{255, 255, 255};
};

// crop: the model's input (RGB, square); tokenOfPatch: grid*grid entries in raster order.
cv::Mat renderMergeMap(const cv::Mat& cropRgb, int grid, const std::vector<int>& tokenOfPatch, const MergeMapStyle& style);

// The lineage of one merged region: patches outside it dimmed, patches inside tinted by the
// block after which they joined (0 = the clicked patch), on a blue (early) to red (late) scale.
cv::Mat renderLineage(const cv::Mat& cropRgb, int grid, const std::vector<int>& joinLayer, int maxLayer, int outputSize);

// Colour of a join layer on the lineage scale (RGB).
cv::Vec3b lineageColour(int layer, int maxLayer);

} // namespace ts
