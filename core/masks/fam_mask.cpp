#include "core/masks/fam_mask.h"

#include "core/masks/window_masks.h"

#include <algorithm>

namespace ts {

FamLayout::Position FamLayout::locate(std::int64_t position) const
{
    Position p;
    if (position < fam) {
        p.block = -1;
        p.offset = position;
        p.isFam = true;
        return p;
    }
    const std::int64_t rel = position - fam;
    p.block = rel / (block + fam);
    p.offset = rel - p.block * (block + fam);
    const std::int64_t n = blockSize(p.block);
    if (p.offset >= n) {
        p.offset -= n;
        p.isFam = true;
    }
    return p;
}

std::int64_t FamLayout::positionOfToken(std::int64_t token) const
{
    const std::int64_t t = token / block;
    return blockStart(t) + (token - t * block);
}

std::int64_t FamLayout::tokenAt(std::int64_t position) const
{
    const Position p = locate(position);
    return p.isFam ? -1 : p.block * block + p.offset;
}

std::int64_t FamMask::dataTokensBefore(std::int64_t position, bool) const
{
    const FamLayout& l = m_layout;
    if (position <= l.fam)
        return 0;
    if (position >= l.total())
        return l.length;
    const FamLayout::Position p = l.locate(position);
    // Before F_t: all of block t; before a data token: its block's predecessors and offset.
    return p.isFam ? std::min(l.length, (p.block + 1) * l.block) : p.block * l.block + p.offset;
}

std::int64_t FamMask::positionOfDataToken(std::int64_t token, bool) const
{
    return m_layout.positionOfToken(std::clamp<std::int64_t>(token, 0, m_layout.length - 1));
}

FamMask::FamMask(const FamLayout& layout, bool causal) : m_layout(layout), m_causal(causal) {}

std::string FamMask::label() const
{
    return "FAM (block " + std::to_string(m_layout.block) + ", memory " + std::to_string(m_layout.memory) + ", FAM "
           + std::to_string(m_layout.fam) + (m_causal ? "" : ", bidirectional block") + ")";
}

void FamMask::keyRanges(std::int64_t query, std::vector<KeyRange>& out) const
{
    out.clear();
    const FamLayout& l = m_layout;
    const FamLayout::Position p = l.locate(query);
    if (p.block < 0) { // F_init rows: the prompt sees itself
        out.push_back({0, l.fam, KeyKind::Fam});
        return;
    }
    const std::int64_t t = p.block;
    const std::int64_t start = l.blockStart(t);
    const std::int64_t previousFam = l.famStart(t - 1);
    if (p.isFam) { // F_t: previous FAM + the whole current block, no memory segments
        out.push_back({previousFam, previousFam + l.fam, KeyKind::Fam});
        out.push_back({start, start + l.blockSize(t), KeyKind::CurrentBlock});
        return;
    }
    // Memory blocks are full blocks, separated in the layout by their FAM columns.
    for (std::int64_t k = std::max<std::int64_t>(0, t - l.memory); k < t; ++k)
        out.push_back({l.blockStart(k), l.blockStart(k) + l.block, KeyKind::Memory});
    out.push_back({previousFam, previousFam + l.fam, KeyKind::Fam});
    out.push_back({start, m_causal ? start + p.offset + 1 : start + l.blockSize(t), KeyKind::CurrentBlock});
}

std::string FamMask::describe(std::int64_t position, bool asKey) const
{
    const FamLayout::Position p = m_layout.locate(position);
    if (p.block < 0)
        return "F_init[" + std::to_string(p.offset) + "] (FAM prompt)";
    if (p.isFam)
        return "F_" + std::to_string(p.block) + "[" + std::to_string(p.offset) + "]"
               + (asKey ? " (FAM after block " + std::to_string(p.block) + ")"
                        : " (FAM query updating after block " + std::to_string(p.block) + ")");
    return "token " + std::to_string(p.block * m_layout.block + p.offset) + " (block " + std::to_string(p.block)
           + ", offset " + std::to_string(p.offset) + ")";
}

std::string FamMask::describeQuery(std::int64_t position) const { return describe(position, false); }

std::string FamMask::describeKey(std::int64_t position) const { return describe(position, true); }

std::int64_t FamMask::allowedPairs() const
{
    const FamLayout& l = m_layout;
    return bswaPairs(l.length, l.block, l.memory, m_causal) + 2 * l.length * l.fam + (l.blocks() + 1) * l.fam * l.fam;
}

} // namespace ts
