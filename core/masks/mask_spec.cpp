#include "core/masks/mask_spec.h"

#include "core/masks/fam_mask.h"
#include "core/masks/fit_mask_rows.h"
#include "core/masks/tome_mask.h"
#include "core/masks/window_masks.h"
#include "core/util/error.h"

#include <algorithm>

namespace ts {

const std::vector<std::string>& maskKinds()
{
    static const std::vector<std::string> kinds = {"full",      "causal",          "swa",        "bswa",
                                                   "fam",       "fit-local",       "fit-latent-read",
                                                   "fit-global", "fit-data-read",  "fit",        "fit-ar", "tome"};
    return kinds;
}

namespace {

void requirePositive(std::int64_t value, const char* what, const std::string& kind)
{
    if (value < 1)
        throw Error(std::string(what) + " must be at least 1 for " + kind + " (got " + std::to_string(value) + ")");
}

void requireWithin(std::int64_t value, std::int64_t length, const char* what)
{
    if (value > length)
        throw Error(std::string(what) + " " + std::to_string(value) + " is larger than the sequence (" + std::to_string(length)
                    + " tokens)");
}

bool isFit(const std::string& kind) { return kind == "fit" || kind.rfind("fit-", 0) == 0; }

} // namespace

void validateMaskSpec(const MaskSpec& s)
{
    const auto& kinds = maskKinds();
    if (std::find(kinds.begin(), kinds.end(), s.kind) == kinds.end())
        throw Error("unknown mask kind '" + s.kind + "' (full, causal, swa, bswa, fam, fit-local, fit-latent-read, "
                    "fit-global, fit-data-read, fit, fit-ar, tome)");
    if (s.kind == "tome") {
        if (s.tokenOfPatch.empty())
            throw Error("tome mask needs a source map (run ToMe on an image first)");
        return;
    }
    if (s.length < 1 || s.length > kMaxMaskLength)
        throw Error("length must be between 1 and " + std::to_string(kMaxMaskLength) + " (got " + std::to_string(s.length) + ")");
    if (s.kind == "swa") {
        requirePositive(s.window, "window", s.kind);
        requireWithin(s.window, s.length, "window");
    }
    if (s.kind == "bswa" || s.kind == "fam") {
        requirePositive(s.block, "block", s.kind);
        requireWithin(s.block, s.length, "block");
        if (s.memory < 0)
            throw Error("memory must be 0 or more (got " + std::to_string(s.memory) + ")");
    }
    if (s.kind == "fam") {
        requirePositive(s.fam, "FAM length", s.kind);
        const FamLayout layout{s.length, s.block, s.memory, s.fam};
        // The unrolled layout adds f positions per block; keep it within the position range.
        if (s.fam > kMaxMaskLength || layout.total() > 2 * kMaxMaskLength)
            throw Error("FAM layout of " + std::to_string(layout.total()) + " positions is too large");
    }
    if (isFit(s.kind)) {
        requirePositive(s.group, "group", s.kind);
        requireWithin(s.group, s.length, "group");
        requirePositive(s.latents, "latents", s.kind);
        fitMaskSpecFor(s.length, s.group, s.latents, false); // multiple of the group, sizes in range
    }
}

std::unique_ptr<AttentionMask> makeMask(const MaskSpec& s)
{
    validateMaskSpec(s);
    if (s.kind == "full")
        return std::make_unique<FullMask>(s.length);
    if (s.kind == "causal")
        return std::make_unique<CausalMask>(s.length);
    if (s.kind == "swa")
        return std::make_unique<SlidingWindowMask>(s.length, s.window);
    if (s.kind == "bswa")
        return std::make_unique<BlockSlidingWindowMask>(s.length, s.block, s.memory, s.causal);
    if (s.kind == "fam")
        return std::make_unique<FamMask>(FamLayout{s.length, s.block, s.memory, s.fam}, s.causal);
    if (s.kind == "tome")
        return std::make_unique<ToMeMask>(s.tokenOfPatch, s.tomeLayer);
    // fit-ar is the whole FIT-AR block; the four stages follow `autoregressive`.
    const bool ar = s.kind == "fit-ar" || s.autoregressive;
    const FitMaskSpec spec = fitMaskSpecFor(s.length, s.group, s.latents, ar);
    if (s.kind == "fit" || s.kind == "fit-ar")
        return std::make_unique<FitMask>(spec, std::nullopt);
    const FitMaskStage stage = s.kind == "fit-local"         ? FitMaskStage::Local
                               : s.kind == "fit-latent-read" ? FitMaskStage::Read
                               : s.kind == "fit-global"      ? FitMaskStage::Global
                                                             : FitMaskStage::Write;
    return std::make_unique<FitMask>(spec, stage);
}

} // namespace ts
