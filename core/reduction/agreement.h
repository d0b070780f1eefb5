#pragma once
// How closely a reduced model's output follows the unreduced one's, for one image: cosine
// similarity of the output vectors, KL divergence of the class softmax (unreduced || reduced,
// with a head), and whether the top-1 class is the same. Torch-free.
#include <vector>

namespace ts {

struct Agreement {
    double cosine = 0;
    double kl = 0;          // only with a head (hasHead)
    bool top1Same = false;
    bool hasHead = false;
};

// `reference` and `reduced` are the final vectors (logits with a head, else the pooled feature),
// the same length. Sums in double; softmax with the maximum subtracted.
Agreement agreementOf(const std::vector<float>& reference, const std::vector<float>& reduced, bool hasHead);

} // namespace ts
