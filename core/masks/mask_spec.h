#pragma once
// A mask chosen by name and sizes, as the command line and the GUI describe it, validated into
// one-line errors before anything is built. Torch-free.
#include "core/masks/attention_mask.h"

#include <memory>
#include <string>
#include <vector>

namespace ts {

struct MaskSpec {
    // full | causal | swa | bswa | fam | fit-local | fit-latent-read | fit-global | fit-data-read | fit |
    // fit-ar | tome
    std::string kind = "fam";
    std::int64_t length = 64;  // data tokens L
    std::int64_t window = 0;   // swa
    std::int64_t block = 0;    // bswa, fam
    std::int64_t memory = 0;   // bswa, fam (0 allowed: the PassKey setting)
    std::int64_t fam = 0;      // fam (>= 1)
    std::int64_t group = 0;    // fit-*: data tokens per group (n = g^2 for a g x g window)
    std::int64_t latents = 0;  // fit-*: latents per group
    bool causal = true;        // bswa, fam: causal inside the block (the paper); false: bidirectional
    bool autoregressive = false; // fit-local/-global/-data-read: the FIT-AR variant
    std::vector<int> tokenOfPatch; // tome: the source map of one layer (ToMeResult::tokenOfPatch[k])
    int tomeLayer = -1;
};

constexpr std::int64_t kMaxMaskLength = 1'000'000'000;

// The kinds, in menu order.
const std::vector<std::string>& maskKinds();
// Throws ts::Error naming the bad size ("block 10 is larger than the sequence (8 tokens)").
void validateMaskSpec(const MaskSpec& spec);
std::unique_ptr<AttentionMask> makeMask(const MaskSpec& spec);

} // namespace ts
