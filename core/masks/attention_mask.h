#pragma once
// An attention mask described by its structure, never stored as an L x L matrix: every query
// row is a short list of allowed key ranges, each tagged with where the keys come from. All the
// mask lab's numbers (pair counts, keys per query, rasters, receptive fields, cost) are derived
// from those rows, so what is drawn and what is counted cannot disagree. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

namespace ts {

// Where an allowed key comes from (the colour of a mask pixel).
enum class KeyKind : std::uint8_t {
    Token,        // plain allowed key: full, causal, sliding window
    CurrentBlock, // the query's own block (BSWA / FAM, Sec. 2.1)
    Memory,       // one of the s previous blocks (memory segments)
    Fam,          // feedback-attention memory (previous FAM, or the FAM prompt)
    Group,        // data of the query's own FIT group
    Latent,       // FIT latent tokens
    Data,         // FIT data tokens read by a latent
    SameToken,    // ToMe: a patch merged into the query's own token
};
constexpr int kKeyKindCount = 8;
// "current block", "memory segment", ...
const char* keyKindName(KeyKind kind);

// Keys [begin, end) of one query row, all of the same kind.
struct KeyRange {
    std::int64_t begin = 0;
    std::int64_t end = 0;
    KeyKind kind = KeyKind::Token;
    std::int64_t size() const { return end - begin; }
};

struct KeyCountSummary {
    std::int64_t min = 0;
    std::int64_t max = 0;
    double mean = 0;
};

// A query-key mask. Rows and columns index positions of a layout that may hold more than the
// data tokens (FAM interleaves its memory tokens, FIT-AR its latents); `dataLength()` is the
// sequence length the user asked for.
class AttentionMask {
public:
    virtual ~AttentionMask() = default;

    virtual std::string name() const = 0;   // "bswa"
    virtual std::string label() const = 0;  // "BSWA (block 2, memory 1)"
    virtual std::int64_t queries() const = 0;
    virtual std::int64_t keys() const = 0;
    virtual std::int64_t dataLength() const = 0;

    // Replaces `out` with the allowed key ranges of `query`: sorted, disjoint, non-empty.
    virtual void keyRanges(std::int64_t query, std::vector<KeyRange>& out) const = 0;
    // What a row (query) or column (key) position holds, e.g. "block 3, token 5" or "F_2[1]".
    virtual std::string describeQuery(std::int64_t position) const;
    virtual std::string describeKey(std::int64_t position) const;

    // Exact number of allowed (query, key) pairs. The base sums the rows; masks with a closed
    // form override it (and the tests check the two agree).
    virtual std::int64_t allowedPairs() const;
    // Pairs an implementation actually computes (ToMe computes token pairs, not patch pairs).
    virtual std::int64_t computedPairs() const { return allowedPairs(); }
    // True when information is carried by a recurrent state within one layer (FAM), so the
    // receptive field does not stop at depth x window.
    virtual bool feedbackMemory() const { return false; }
    // Alignment by data token, so masks whose layouts differ can be compared over the same data
    // (FAM interleaves its memory tokens between blocks): the number of data tokens at positions
    // before `position` (0..queries() or keys()) on the query axis (keyAxis false) or the key
    // axis, and the position of data token `token` (0..dataLength()-1). The base serves layouts
    // whose data tokens come first ([data | latents], or data only); an axis shorter than the data
    // (FIT latents, one group's m latents for its n tokens) maps proportionally.
    virtual std::int64_t dataTokensBefore(std::int64_t position, bool keyAxis) const;
    virtual std::int64_t positionOfDataToken(std::int64_t token, bool keyAxis) const;
    // True when queries and keys index the same sequence (receptive fields make sense).
    bool square() const { return queries() == keys(); }

    bool allowed(std::int64_t query, std::int64_t key) const;
    // The kind of an allowed key; false when the key is masked.
    bool kindAt(std::int64_t query, std::int64_t key, KeyKind* kind) const;
    std::int64_t keysForQuery(std::int64_t query) const;
    KeyCountSummary keyCountSummary() const;

    // Throws ts::Error when a position is outside the mask.
    void checkQuery(std::int64_t query) const;
    void checkKey(std::int64_t key) const;
};

// Sum over rows (independent of any closed form; O(queries)).
std::int64_t countPairsByRows(const AttentionMask& mask);

} // namespace ts
