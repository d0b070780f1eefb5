#pragma once
// The unrolled single-layer mask of TransformerFAM (Hwang et al. 2024, Sec. 2.2, Fig. 2b,
// Algorithm 2). Layout: [F_init | blk0 | F_0 | blk1 | F_1 | ... | blk(T-1) | F_(T-1)], where
// the row of F_t holds the FAM queries that produce F_t (copies of F_(t-1), "FAM copy") and the
// column of F_t holds the keys of the new FAM that block t+1 reads.
//   block t, token o : F_(t-1) (previous FAM), blocks t-s .. t-1 (memory), block t up to o
//   F_t              : F_(t-1) and all of block t (no memory segments)
//   F_init           : F_init (the FAM prompt attends fully to itself, App. B.1)
#include "core/masks/attention_mask.h"

#include <algorithm>

namespace ts {

// Where every block and FAM lives in the unrolled layout.
struct FamLayout {
    std::int64_t length = 0; // data tokens L
    std::int64_t block = 0;  // b
    std::int64_t memory = 0; // s
    std::int64_t fam = 0;    // f

    std::int64_t blocks() const { return (length + block - 1) / block; }
    std::int64_t blockSize(std::int64_t t) const { return std::min(block, length - t * block); }
    std::int64_t blockStart(std::int64_t t) const { return fam + t * (block + fam); }
    // F_t starts here; F_(-1) is F_init at 0.
    std::int64_t famStart(std::int64_t t) const { return t < 0 ? 0 : blockStart(t) + blockSize(t); }
    std::int64_t total() const { return length + fam * (blocks() + 1); }

    struct Position {
        std::int64_t block = -1; // t of the data token or of F_t; -1 for F_init
        std::int64_t offset = 0; // token offset in the block, or FAM slot
        bool isFam = false;
    };
    Position locate(std::int64_t position) const;
    // Layout position of data token i, and the inverse (-1 for FAM positions).
    std::int64_t positionOfToken(std::int64_t token) const;
    std::int64_t tokenAt(std::int64_t position) const;
};

class FamMask : public AttentionMask {
public:
    FamMask(const FamLayout& layout, bool causal = true);
    std::string name() const override { return "fam"; }
    std::string label() const override;
    std::int64_t queries() const override { return m_layout.total(); }
    std::int64_t keys() const override { return m_layout.total(); }
    std::int64_t dataLength() const override { return m_layout.length; }
    void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const override;
    std::string describeQuery(std::int64_t position) const override;
    std::string describeKey(std::int64_t position) const override;
    // BSWA's data pairs + 2 L f (data rows read F, F rows read the block) + (T+1) f^2.
    std::int64_t allowedPairs() const override;
    bool feedbackMemory() const override { return true; }
    // Data tokens skip the FAM positions (F_init before block 0, F_t after block t).
    std::int64_t dataTokensBefore(std::int64_t position, bool keyAxis) const override;
    std::int64_t positionOfDataToken(std::int64_t token, bool) const override;

    const FamLayout& layout() const { return m_layout; }
    bool causal() const { return m_causal; }

private:
    std::string describe(std::int64_t position, bool asKey) const;

    FamLayout m_layout;
    bool m_causal;
};

} // namespace ts
