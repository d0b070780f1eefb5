#pragma once
// How FIT splits a patch grid into groups (pix2seq utils.images2subimages2tokens): square
// windows of g x g patches, groups in row-major order over the image, patches in raster order
// inside each window. Torch-free (the GUI draws it; core/fit/group_tensors.h moves tensors).
//
// A grid whose sides are not multiples of g is padded at the right and bottom up to the next
// multiple. Padding slots hold no patch: they are excluded as keys from every attention over data
// tokens (an additive -inf bias), so no real token or latent ever reads them, and they are dropped
// when ungrouping. Every group keeps at least one real patch, since padding is less than g per side.
#include <vector>

namespace ts {

class Grouping {
public:
    Grouping() = default;
    // Throws ts::Error when g < 1, the grid is empty, or the g x g window is larger than the grid.
    Grouping(int gridRows, int gridCols, int groupSize);

    int gridRows() const { return m_rows; }
    int gridCols() const { return m_cols; }
    int groupSize() const { return m_g; }
    int groupRows() const { return (m_rows + m_g - 1) / m_g; }
    int groupCols() const { return (m_cols + m_g - 1) / m_g; }
    int paddedRows() const { return groupRows() * m_g; }
    int paddedCols() const { return groupCols() * m_g; }
    int groups() const { return groupRows() * groupCols(); }   // t
    int tokensPerGroup() const { return m_g * m_g; }           // n
    int patches() const { return m_rows * m_cols; }
    int paddingSlots() const { return groups() * tokensPerGroup() - patches(); }
    bool padded() const { return paddingSlots() > 0; }

    // Slot s = group * n + k (group-major). Returns the raster patch index (row * gridCols + col)
    // it holds, or -1 for a padding slot.
    int patchOfSlot(int slot) const;
    int slotOfPatch(int patch) const;
    int groupOfPatch(int patch) const { return slotOfPatch(patch) / tokensPerGroup(); }
    // The window of group `group` in patch units, clipped to the grid: first row/col and size.
    void groupRect(int group, int* row, int* col, int* rows, int* cols) const;
    // Number of real (non-padding) patches in a group.
    int realTokens(int group) const;

    // Rearranges per-patch values (raster order, patches() * width) into slots (group-major,
    // groups() * n * width), writing `fill` into padding; and back (padding dropped).
    std::vector<float> group(const std::vector<float>& perPatch, int width, float fill = 0.0f) const;
    std::vector<float> ungroup(const std::vector<float>& perSlot, int width) const;

private:
    int m_rows = 0, m_cols = 0, m_g = 1;
};

} // namespace ts
