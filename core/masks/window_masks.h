#pragma once
// The sequence masks of TransformerFAM's Fig. 1 (Hwang et al. 2024): full (bidirectional),
// causal, sliding window (SWA) and block sliding window (BSWA, Sec. 2.1, Eq. 1).
#include "core/masks/attention_mask.h"

namespace ts {

// Every query sees every key.
class FullMask : public AttentionMask {
public:
    explicit FullMask(std::int64_t length);
    std::string name() const override { return "full"; }
    std::string label() const override { return "full (bidirectional)"; }
    std::int64_t queries() const override { return m_length; }
    std::int64_t keys() const override { return m_length; }
    std::int64_t dataLength() const override { return m_length; }
    void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const override;
    std::int64_t allowedPairs() const override; // L^2

private:
    std::int64_t m_length;
};

// Query i sees keys 0..i.
class CausalMask : public AttentionMask {
public:
    explicit CausalMask(std::int64_t length);
    std::string name() const override { return "causal"; }
    std::string label() const override { return "causal"; }
    std::int64_t queries() const override { return m_length; }
    std::int64_t keys() const override { return m_length; }
    std::int64_t dataLength() const override { return m_length; }
    void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const override;
    std::int64_t allowedPairs() const override; // L(L+1)/2

private:
    std::int64_t m_length;
};

// Fig. 1(a): query i sees keys j with j <= i and i - j < w (w keys, the query included).
class SlidingWindowMask : public AttentionMask {
public:
    SlidingWindowMask(std::int64_t length, std::int64_t window);
    std::string name() const override { return "swa"; }
    std::string label() const override;
    std::int64_t queries() const override { return m_length; }
    std::int64_t keys() const override { return m_length; }
    std::int64_t dataLength() const override { return m_length; }
    void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const override;
    std::int64_t allowedPairs() const override; // w(w+1)/2 + (L-w)w for w <= L

private:
    std::int64_t m_length, m_window;
};

// Fig. 1(b, c), Eq. 1: blocks of b tokens; a query in block t sees all keys of blocks
// t-s .. t-1 (memory segments) and the keys of its own block up to itself. With
// causal = false the own block is seen whole (the image mode; see core/fam/fam_api.h).
class BlockSlidingWindowMask : public AttentionMask {
public:
    BlockSlidingWindowMask(std::int64_t length, std::int64_t block, std::int64_t memory, bool causal = true);
    std::string name() const override { return "bswa"; }
    std::string label() const override;
    std::int64_t queries() const override { return m_length; }
    std::int64_t keys() const override { return m_length; }
    std::int64_t dataLength() const override { return m_length; }
    void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const override;
    std::string describeQuery(std::int64_t position) const override;
    std::string describeKey(std::int64_t position) const override { return describeQuery(position); }
    std::int64_t allowedPairs() const override;

    std::int64_t block() const { return m_block; }
    std::int64_t memory() const { return m_memory; }
    bool causal() const { return m_causal; }

private:
    std::int64_t m_length, m_block, m_memory;
    bool m_causal;
};

// Closed form of the BSWA pair count (also the data-row part of the FAM mask).
std::int64_t bswaPairs(std::int64_t length, std::int64_t block, std::int64_t memory, bool causal);

} // namespace ts
