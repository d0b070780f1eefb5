#pragma once
// How far back information can reach a query after a number of layers (TransformerFAM Fig. 1(d),
// Sec. 2.1): each layer lets a position read the keys its mask row allows, and the residual keeps
// what it already had, so the reach after depth d is the d-fold closure of the rows. For SWA and
// BSWA it grows by about one window per layer (depth x window). For FAM it is unbounded: the
// feedback memory is carried from block to block inside every layer (Sec. 2.2), so a single layer
// already reaches every earlier token. Torch-free.
#include "core/masks/attention_mask.h"

#include <string>
#include <utility>
#include <vector>

namespace ts {

struct ReceptiveField {
    int depth = 0;
    std::int64_t query = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> reached; // sorted, merged [begin, end)
    std::int64_t reachedCount = 0;  // positions in `reached`
    std::int64_t earliest = 0;      // first position reached
    std::int64_t span = 0;          // query - earliest + 1
    bool unbounded = false;         // true for feedback memory: limited only by the sequence
    std::string note;               // one line that says so
};

// Receptive field of `query` after depths 1..maxDepth (index d-1 holds depth d). Throws ts::Error
// for rectangular masks (queries and keys are different sequences) or a bad query/depth.
std::vector<ReceptiveField> receptiveFields(const AttentionMask& mask, std::int64_t query, int maxDepth,
                                            const struct RunControl* control = nullptr);
ReceptiveField receptiveField(const AttentionMask& mask, std::int64_t query, int depth);

} // namespace ts
