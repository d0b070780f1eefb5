#include "core/fit/grouping.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <algorithm>
#include <string>

namespace ts {

Grouping::Grouping(int gridRows, int gridCols, int groupSize) : m_rows(gridRows), m_cols(gridCols), m_g(groupSize)
{
    if (groupSize < 1)
        throw Error("FIT: group size must be at least 1, got " + std::to_string(groupSize));
    if (gridRows < 1 || gridCols < 1)
        throw Error("FIT: the image has no patches (" + sizeText(gridCols, gridRows) + " grid)");
    if (groupSize > gridRows || groupSize > gridCols)
        throw Error("FIT: a group of " + std::to_string(groupSize) + " x " + std::to_string(groupSize)
                    + " patches is larger than the image's " + sizeText(gridCols, gridRows) + " patch grid");
}

int Grouping::patchOfSlot(int slot) const
{
    const int n = tokensPerGroup();
    const int group = slot / n, k = slot % n;
    const int row = (group / groupCols()) * m_g + k / m_g;
    const int col = (group % groupCols()) * m_g + k % m_g;
    if (row >= m_rows || col >= m_cols)
        return -1;
    return row * m_cols + col;
}

int Grouping::slotOfPatch(int patch) const
{
    const int row = patch / m_cols, col = patch % m_cols;
    const int group = (row / m_g) * groupCols() + col / m_g;
    return group * tokensPerGroup() + (row % m_g) * m_g + col % m_g;
}

void Grouping::groupRect(int group, int* row, int* col, int* rows, int* cols) const
{
    *row = (group / groupCols()) * m_g;
    *col = (group % groupCols()) * m_g;
    *rows = std::min(m_g, m_rows - *row);
    *cols = std::min(m_g, m_cols - *col);
}

int Grouping::realTokens(int group) const
{
    int row, col, rows, cols;
    groupRect(group, &row, &col, &rows, &cols);
    return rows * cols;
}

std::vector<float> Grouping::group(const std::vector<float>& perPatch, int width, float fill) const
{
    if (perPatch.size() != static_cast<std::size_t>(patches()) * static_cast<std::size_t>(width))
        throw Error("FIT grouping: expected " + std::to_string(patches()) + " x " + std::to_string(width) + " values");
    const std::size_t slots = static_cast<std::size_t>(groups()) * static_cast<std::size_t>(tokensPerGroup());
    std::vector<float> out(slots * static_cast<std::size_t>(width), fill);
    for (std::size_t s = 0; s < slots; ++s) {
        const int p = patchOfSlot(static_cast<int>(s));
        if (p >= 0)
            std::copy_n(perPatch.begin() + static_cast<std::ptrdiff_t>(p) * width, width,
                        out.begin() + static_cast<std::ptrdiff_t>(s) * width);
    }
    return out;
}

std::vector<float> Grouping::ungroup(const std::vector<float>& perSlot, int width) const
{
    const std::size_t slots = static_cast<std::size_t>(groups()) * static_cast<std::size_t>(tokensPerGroup());
    if (perSlot.size() != slots * static_cast<std::size_t>(width))
        throw Error("FIT grouping: expected " + std::to_string(slots) + " x " + std::to_string(width) + " values");
    std::vector<float> out(static_cast<std::size_t>(patches()) * static_cast<std::size_t>(width));
    for (int p = 0; p < patches(); ++p)
        std::copy_n(perSlot.begin() + static_cast<std::ptrdiff_t>(slotOfPatch(p)) * width, width,
                    out.begin() + static_cast<std::ptrdiff_t>(p) * width);
    return out;
}

} // namespace ts
