#include "core/masks/window_masks.h"

#include <algorithm>

namespace ts {
namespace {

// 1 + 2 + ... + n
std::int64_t triangle(std::int64_t n) { return n * (n + 1) / 2; }

} // namespace

// --- full / causal ---------------------------------------------------------------------------

FullMask::FullMask(std::int64_t length) : m_length(length) {}

void FullMask::keyRanges(std::int64_t, std::vector<KeyRange>& out) const { out.assign(1, {0, m_length, KeyKind::Token}); }

std::int64_t FullMask::allowedPairs() const { return m_length * m_length; }

CausalMask::CausalMask(std::int64_t length) : m_length(length) {}

void CausalMask::keyRanges(std::int64_t query, std::vector<KeyRange>& out) const
{
    out.assign(1, {0, query + 1, KeyKind::Token});
}

std::int64_t CausalMask::allowedPairs() const { return triangle(m_length); }

// --- SWA -------------------------------------------------------------------------------------------

SlidingWindowMask::SlidingWindowMask(std::int64_t length, std::int64_t window) : m_length(length), m_window(window) {}

std::string SlidingWindowMask::label() const { return "SWA (window " + std::to_string(m_window) + ")"; }

void SlidingWindowMask::keyRanges(std::int64_t query, std::vector<KeyRange>& out) const
{
    out.assign(1, {std::max<std::int64_t>(0, query - m_window + 1), query + 1, KeyKind::Token});
}

std::int64_t SlidingWindowMask::allowedPairs() const
{
    // The first w queries see 1..w keys, every later one exactly w.
    const std::int64_t w = std::min(m_window, m_length);
    return triangle(w) + (m_length - w) * w;
}

// --- BSWA ------------------------------------------------------------------------------------------

BlockSlidingWindowMask::BlockSlidingWindowMask(std::int64_t length, std::int64_t block, std::int64_t memory, bool causal)
    : m_length(length), m_block(block), m_memory(memory), m_causal(causal)
{
}

std::string BlockSlidingWindowMask::label() const
{
    return "BSWA (block " + std::to_string(m_block) + ", memory " + std::to_string(m_memory) + (m_causal ? "" : ", bidirectional block")
           + ")";
}

void BlockSlidingWindowMask::keyRanges(std::int64_t query, std::vector<KeyRange>& out) const
{
    out.clear();
    const std::int64_t tau = query / m_block;
    const std::int64_t start = tau * m_block;
    const std::int64_t first = std::max<std::int64_t>(0, tau - m_memory);
    // The memory blocks are contiguous and uncached-masked: one range (Eq. 1b).
    if (first < tau)
        out.push_back({first * m_block, start, KeyKind::Memory});
    const std::int64_t end = m_causal ? query + 1 : std::min(start + m_block, m_length);
    out.push_back({start, end, KeyKind::CurrentBlock});
}

std::string BlockSlidingWindowMask::describeQuery(std::int64_t position) const
{
    return "token " + std::to_string(position) + " (block " + std::to_string(position / m_block) + ", offset "
           + std::to_string(position % m_block) + ")";
}

std::int64_t bswaPairs(std::int64_t length, std::int64_t block, std::int64_t memory, bool causal)
{
    if (length <= 0)
        return 0;
    const std::int64_t blocks = (length + block - 1) / block;
    const std::int64_t last = length - (blocks - 1) * block; // tokens in the last block
    // S(k) = sum_{t=0..k} min(t, s): memory blocks seen by blocks 0..k.
    auto memoryBlocks = [memory](std::int64_t k) -> std::int64_t {
        if (k < 0)
            return 0;
        if (k <= memory)
            return triangle(k);
        return triangle(memory) + (k - memory) * memory;
    };
    auto own = [causal](std::int64_t n) { return causal ? triangle(n) : n * n; };
    return block * block * memoryBlocks(blocks - 2) + block * last * std::min(blocks - 1, memory)
           + (blocks - 1) * own(block) + own(last);
}

std::int64_t BlockSlidingWindowMask::allowedPairs() const { return bswaPairs(m_length, m_block, m_memory, m_causal); }

} // namespace ts
